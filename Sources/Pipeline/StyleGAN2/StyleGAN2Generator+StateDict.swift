/// The generator as a G_ema state_dict (stylegan2.md §7.4), e.g. to save a tuned generator in a form every
/// `--model` option reads back.
extension StyleGAN2Generator {
    /// Every tensor `config.expectedTensors` lists, with its shape, taken from this network.
    public func stateDict(config: GeneratorConfig) throws -> NamedTensors {
        var values = synthesis.namedTensors()
        values["mapping.w_avg"] = mapping.wAvg
        for (i, layer) in mapping.layers.enumerated() {
            values["mapping.fc\(i).weight"] = layer.weight
            values["mapping.fc\(i).bias"] = layer.bias
        }
        // NVlabs' setup_filter([1,3,3,1]): the outer product normalised to sum 1.
        let taps: [Float] = [1, 3, 3, 1]
        let resampleFilter = taps.flatMap { a in taps.map { a * $0 / 64 } }
        var tensors = NamedTensors(source: "tuned generator")
        for (name, shape) in config.expectedTensors {
            let tensor = name.hasSuffix("resample_filter") ? resampleFilter : values[name]
            guard let tensor else { throw GeneratorError("generator has no tensor \(name) for its own architecture") }
            tensors.set(name, try CheckpointTensor(floats: tensor, shape: shape))
        }
        return tensors
    }
}
