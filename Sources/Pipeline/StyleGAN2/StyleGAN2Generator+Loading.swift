/// Building the generator from checkpoint weights. The architecture and every tensor's shape come from
/// `GeneratorWeights` (GeneratorConfig), checked before anything is built.
extension StyleGAN2Generator {
    /// `--model PATH|NAME`: any checkpoint `pivot models` reads (NVlabs .pkl, G_ema state_dict .pt/.pth,
    /// rosinality, safetensors) or the name of a model imported into `store`.
    public init(model: String, store: ModelStore = ModelStore()) throws {
        try self.init(weights: GeneratorWeights.load(model: model, store: store))
    }

    /// From weights already checked against their architecture; refuses what this generator does not compute.
    public init(weights: GeneratorWeights) throws {
        let config = weights.config
        func refuse(_ what: String) -> CheckpointError {
            CheckpointError(.unsupported, file: weights.tensors.source, "\(what) is not supported by Pivot's generator")
        }
        guard config.cDim == 0 else { throw refuse("a conditional generator (c_dim \(config.cDim))") }
        guard config.imageChannels == 3 else { throw refuse("img_channels \(config.imageChannels) (only RGB)") }
        // MappingNetwork applies NVlabs' default learning-rate multiplier as a constant.
        guard config.mappingLRMultiplier == 0.01 else { throw refuse("mapping lr_multiplier \(config.mappingLRMultiplier) (only 0.01)") }
        try self.init(config: config) { try weights.tensors.floats($0) }
    }

    /// Builds the networks from tensors looked up by G_ema state_dict name (stylegan2.md §7.4). `tensor`
    /// must return exactly the element count `config.expectedTensors` gives for that name.
    init(config: GeneratorConfig, tensor: (String) throws -> [Float]) rethrows {
        let counts = config.expectedCounts
        func load(_ name: String) throws -> [Float] {
            let values = try tensor(name)
            precondition(values.count == counts[name], "\(name): \(values.count) values, expected \(counts[name] ?? 0)")
            return values
        }
        func layer(_ prefix: String, inputs: Int, outputs: Int, resolution r: Int, up: Bool) throws -> SynthesisLayer {
            SynthesisLayer(inputs: inputs, outputs: outputs, resolution: r, up: up,
                           weight: try load("\(prefix).weight"), bias: try load("\(prefix).bias"),
                           noiseStrength: try load("\(prefix).noise_strength"), noiseConst: try load("\(prefix).noise_const"),
                           affineWeight: try load("\(prefix).affine.weight"), affineBias: try load("\(prefix).affine.bias"))
        }
        let blocks = try config.blockResolutions.map { r in
            let c = config.channels(at: r), name = "synthesis.b\(r)"
            return SynthesisNetwork.Block(
                resolution: r,
                conv0: r == 4 ? nil : try layer("\(name).conv0", inputs: config.channels(at: r / 2), outputs: c, resolution: r, up: true),
                conv1: try layer("\(name).conv1", inputs: c, outputs: c, resolution: r, up: false),
                toRGB: ToRGBLayer(inputs: c, resolution: r, weight: try load("\(name).torgb.weight"),
                                  bias: try load("\(name).torgb.bias"), affineWeight: try load("\(name).torgb.affine.weight"),
                                  affineBias: try load("\(name).torgb.affine.bias")))
        }
        let layers = try (0..<config.mappingLayers).map {
            MappingNetwork.Layer(weight: try load("mapping.fc\($0).weight"), bias: try load("mapping.fc\($0).bias"))
        }
        mapping = MappingNetwork(layers: layers, wAvg: try load("mapping.w_avg"), zDim: config.zDim)
        synthesis = SynthesisNetwork(const: try load("synthesis.b4.const"), blocks: blocks,
                                     convClamp: config.convClamp.map(Float.init), wDim: config.wDim)
    }
}
