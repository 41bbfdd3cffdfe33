/// Loading a generator from any file the checkpoint readers open.
extension StyleGAN2Generator {
    /// An NVlabs snapshot or pickled Generator (architecture from `_init_kwargs`), or a G_ema state_dict in
    /// any container (resolution and mapping depth from the tensor names; no conv_clamp, which a bare
    /// state_dict does not record). To be replaced by the checkpoint module's GeneratorWeights when it lands.
    public init(checkpoint path: String) throws {
        let file = try CheckpointFile.open(path)
        let names = Set(file.tensors.names)
        guard names.contains("synthesis.b4.const") else {
            throw GeneratorError("\(path): no StyleGAN2 generator (no synthesis.b4.const)")
        }
        var resolution = 4
        while names.contains("synthesis.b\(resolution * 2).torgb.weight") && resolution < 4096 { resolution *= 2 }
        var mappingLayers = 0
        while names.contains("mapping.fc\(mappingLayers).weight") { mappingLayers += 1 }
        var clamp: Float? = nil
        if let kwargs = file.initKwargs {
            if let r = kwargs["img_resolution"]?.intValue, r != resolution {
                throw GeneratorError("\(path): img_resolution \(r) but the tensors stop at b\(resolution)")
            }
            clamp = kwargs["synthesis_kwargs"]?.dictValue?["conv_clamp"]?.doubleValue.map(Float.init)
        }
        if let c = clamp, !(c > 0 && c.isFinite) { throw GeneratorError("\(path): conv_clamp \(c) is not positive") }
        try self.init(resolution: resolution, mappingLayers: mappingLayers, convClamp: clamp, source: path) {
            try file.tensors.floats($0)
        }
    }
}
