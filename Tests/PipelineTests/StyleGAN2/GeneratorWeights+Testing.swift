import Pipeline

extension GeneratorWeights {
    /// In-memory weights for `config`: `values(name, count)` fills each tensor, except the resample filters,
    /// which get NVlabs' [1,3,3,1]⊗[1,3,3,1]/64 (stored in G_ema but not read by the generator).
    static func make(_ config: GeneratorConfig, values: (String, Int) -> [Float]) throws -> GeneratorWeights {
        let taps: [Float] = [1, 3, 3, 1]
        let filter = taps.flatMap { a in taps.map { b in a * b / 64 } }
        var tensors = NamedTensors(source: "test weights")
        for (name, shape) in config.expectedTensors {
            let data = name.hasSuffix("resample_filter") ? filter : values(name, shape.reduce(1, *))
            tensors.set(name, try CheckpointTensor(floats: data, shape: shape))
        }
        return try GeneratorWeights(config: config, tensors: tensors, source: "test weights")
    }
}
