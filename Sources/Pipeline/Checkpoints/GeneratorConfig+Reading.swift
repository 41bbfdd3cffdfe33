extension GeneratorConfig {
    /// From NVlabs `_init_kwargs` (`Generator(z_dim, c_dim, w_dim, img_resolution, img_channels,
    /// mapping_kwargs, synthesis_kwargs)`), with NVlabs' defaults for anything absent.
    public init(initKwargs kwargs: PickleDict, file: String) throws {
        let mapping = kwargs["mapping_kwargs"]?.dictValue
        let synthesis = kwargs["synthesis_kwargs"]?.dictValue
        func int(_ dict: PickleDict?, _ key: String, _ fallback: Int) throws -> Int {
            guard let value = dict?[key] else { return fallback }
            guard let number = value.intValue else {
                throw CheckpointError(.malformed, file: file, "init_kwargs '\(key)' is a \(value.kindName), not an int")
            }
            return number
        }
        /// nil when absent or None.
        func number(_ dict: PickleDict?, _ key: String) throws -> Double? {
            guard let value = dict?[key], !value.isNone else { return nil }
            guard let number = value.doubleValue else {
                throw CheckpointError(.malformed, file: file, "init_kwargs '\(key)' is a \(value.kindName), not a number")
            }
            return number
        }
        if let features = mapping?["layer_features"], !features.isNone, features.intValue != (try int(kwargs, "w_dim", 512)) {
            throw CheckpointError(.unsupported, file: file, "mapping layer_features other than w_dim are not supported")
        }
        do {
            try self.init(resolution: try int(kwargs, "img_resolution", 0), zDim: try int(kwargs, "z_dim", 512),
                          wDim: try int(kwargs, "w_dim", 512), cDim: try int(kwargs, "c_dim", 0),
                          imageChannels: try int(kwargs, "img_channels", 3),
                          mappingLayers: try int(mapping, "num_layers", 8),
                          channelBase: try int(synthesis, "channel_base", 32768),
                          channelMax: try int(synthesis, "channel_max", 512),
                          convClamp: try number(synthesis, "conv_clamp"),
                          numFP16Res: try int(synthesis, "num_fp16_res", 0),
                          mappingLRMultiplier: try number(mapping, "lr_multiplier") ?? 0.01,
                          wAvgBeta: try number(mapping, "w_avg_beta") ?? 0.995,
                          architecture: synthesis?["architecture"]?.stringValue ?? "skip")
        } catch let error as ArchitectureError {
            throw CheckpointError(.architecture, file: file, "init_kwargs: \(error)")
        }
    }

    /// Infers the architecture of an NVlabs-named state_dict from its shapes (a bare `G_ema.state_dict()` stores
    /// no kwargs). `conv_clamp` is not recorded in such a file and is taken as none.
    public init(inferringFrom tensors: NamedTensors) throws {
        func shape(_ name: String) throws -> [Int] { try tensors.tensor(name).shape }
        func fail(_ message: String) -> CheckpointError { CheckpointError(.architecture, file: tensors.source, message) }
        var resolution = 4
        while tensors["synthesis.b\(resolution * 2).conv1.weight"] != nil && resolution < Self.maxResolution { resolution *= 2 }
        let rgb = try shape("synthesis.b4.torgb.weight")
        let affine = try shape("synthesis.b4.conv1.affine.weight")
        guard rgb.count == 4, affine.count == 2 else { throw fail("b4 ToRGB or affine weight has the wrong rank") }
        var layers = 0
        while tensors["mapping.fc\(layers).weight"] != nil && layers < Self.maxMappingLayers { layers += 1 }
        let first = try shape("mapping.fc0.weight")
        let cDim = tensors["mapping.embed.weight"]?.shape.last ?? 0
        guard first.count == 2 else { throw fail("mapping.fc0.weight has the wrong rank") }
        let wDim = affine[1]
        let zDim = first[1] - (cDim > 0 ? wDim : 0)

        var channels: [Int: Int] = [:]
        for r in sequence(first: 4, next: { $0 * 2 }).prefix(while: { $0 <= resolution }) {
            channels[r] = try shape("synthesis.b\(r).conv1.weight").first ?? 0
        }
        guard channels.values.allSatisfy({ (1...Self.maxChannels).contains($0) }) else {
            throw fail("channels per resolution \(channels.values.sorted()) outside 1...\(Self.maxChannels)")
        }
        let (base, max) = try Self.channelBaseAndMax(channels, resolution: resolution, fail: fail)
        do {
            try self.init(resolution: resolution, zDim: zDim, wDim: wDim, cDim: cDim, imageChannels: rgb[0],
                          mappingLayers: layers, channelBase: base, channelMax: max)
        } catch {
            throw fail("inferred architecture is invalid: \(error)")
        }
    }

    /// Finds (channel_base, channel_max) with min(base / r, max) = C(r) at every r. When several fit (all blocks
    /// at the cap), the NVlabs presets 32768 and 16384 are preferred.
    static func channelBaseAndMax(_ channels: [Int: Int], resolution: Int,
                                  fail: (String) -> CheckpointError) throws -> (Int, Int) {
        guard let cap = channels[4], cap > 0 else { throw fail("b4 has no channels") }
        func fits(_ base: Int) -> Bool { channels.allSatisfy { min(base / $0.key, cap) == $0.value } }
        // Smallest base consistent with the first block below the cap: C(r)·r.
        let belowCap = channels.keys.sorted().first { channels[$0]! < cap }
        let candidates = [32768, 16384] + (belowCap.map { [channels[$0]! * $0] } ?? [cap * resolution])
        guard let base = candidates.first(where: fits) else {
            throw fail("channels per resolution \(channels.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }) fit no channel_base/channel_max")
        }
        return (base, cap)
    }
}

extension PickleValue {
    var isNone: Bool { if case .none = self { true } else { false } }
}
