/// rosinality/stylegan2-pytorch's `g_ema` layout mapped onto NVlabs names (stylegan2.md §7.8). The weights are
/// the same numbers under other names and shapes; the blur/upsample kernels are recomputed buffers and the
/// NVlabs `resample_filter` is made anew. rosinality has no activation clamp, so `conv_clamp` is none.
enum RosinalityLayout {
    /// True when `tensors` is a rosinality checkpoint (`g_ema.*` keys).
    static func matches(_ tensors: NamedTensors) -> Bool { tensors["g_ema.input.input"] != nil }

    /// FILT = outer([1,3,3,1]) / 64, the NVlabs `resample_filter` buffer.
    static var resampleFilter: [Float] {
        let taps: [Float] = [1, 3, 3, 1]
        return taps.flatMap { a in taps.map { a * $0 / 64 } }
    }

    static func convert(_ source: NamedTensors) throws -> (GeneratorConfig, NamedTensors) {
        var used = Set<String>()
        func take(_ name: String, as shape: [Int]? = nil) throws -> CheckpointTensor {
            used.insert(name)
            let tensor = try source.tensor(name)
            guard let shape else { return tensor }
            do { return try tensor.reshaped(shape) } catch {
                throw CheckpointError(.architecture, file: source.source, "\(name) with shape \(tensor.shape): \(error)")
            }
        }
        var convs = 0
        while source["g_ema.convs.\(convs).conv.weight"] != nil && convs < 2 * 12 { convs += 1 }
        var styles = 0
        while source["g_ema.style.\(styles + 1).weight"] != nil && styles < GeneratorConfig.maxMappingLayers { styles += 1 }
        let resolution = 4 << (convs / 2)

        var nvlabs = NamedTensors(source: source.source)
        let filter = try CheckpointTensor(floats: resampleFilter, shape: [4, 4])
        func layer(_ name: String, from prefix: String, noise: Int, r: Int) throws {
            let weight = try source.tensor("\(prefix).conv.weight").shape
            guard weight.count == 5 else {
                throw CheckpointError(.architecture, file: source.source, "\(prefix).conv.weight has shape \(weight)")
            }
            nvlabs.set("\(name).weight", try take("\(prefix).conv.weight", as: Array(weight.dropFirst())))
            nvlabs.set("\(name).noise_strength", try take("\(prefix).noise.weight", as: []))
            nvlabs.set("\(name).bias", try take("\(prefix).activate.bias"))
            nvlabs.set("\(name).resample_filter", filter)
            nvlabs.set("\(name).noise_const", try take("g_ema.noises.noise_\(noise)", as: [r, r]))
            nvlabs.set("\(name).affine.weight", try take("\(prefix).conv.modulation.weight"))
            nvlabs.set("\(name).affine.bias", try take("\(prefix).conv.modulation.bias"))
        }
        func toRGB(_ block: String, from prefix: String) throws {
            let weight = try source.tensor("\(prefix).conv.weight").shape
            nvlabs.set("\(block).torgb.weight", try take("\(prefix).conv.weight", as: Array(weight.dropFirst())))
            nvlabs.set("\(block).torgb.bias", try take("\(prefix).bias", as: [try source.tensor("\(prefix).bias").count]))
            nvlabs.set("\(block).torgb.affine.weight", try take("\(prefix).conv.modulation.weight"))
            nvlabs.set("\(block).torgb.affine.bias", try take("\(prefix).conv.modulation.bias"))
        }

        let constant = try source.tensor("g_ema.input.input").shape
        nvlabs.set("synthesis.b4.const", try take("g_ema.input.input", as: Array(constant.dropFirst())))
        nvlabs.set("synthesis.b4.resample_filter", filter)
        try layer("synthesis.b4.conv1", from: "g_ema.conv1", noise: 0, r: 4)
        try toRGB("synthesis.b4", from: "g_ema.to_rgb1")
        var k = 3
        while (1 << k) <= resolution {
            let r = 1 << k, block = "synthesis.b\(r)"
            nvlabs.set("\(block).resample_filter", filter)
            try layer("\(block).conv0", from: "g_ema.convs.\(2 * (k - 3))", noise: 2 * k - 5, r: r)
            try layer("\(block).conv1", from: "g_ema.convs.\(2 * (k - 3) + 1)", noise: 2 * k - 4, r: r)
            try toRGB(block, from: "g_ema.to_rgbs.\(k - 3)")
            k += 1
        }
        nvlabs.set("mapping.w_avg", try take("latent_avg"))
        for i in 0..<styles {
            nvlabs.set("mapping.fc\(i).weight", try take("g_ema.style.\(i + 1).weight"))
            nvlabs.set("mapping.fc\(i).bias", try take("g_ema.style.\(i + 1).bias"))
        }

        // Everything else must be a recomputed kernel buffer, or the file is not the layout we think.
        let leftover = source.names.filter {
            $0.hasPrefix("g_ema.") && !used.contains($0) && !$0.hasSuffix(".blur.kernel") && !$0.hasSuffix(".upsample.kernel")
        }
        guard leftover.isEmpty else {
            throw CheckpointError(.architecture, file: source.source,
                                  "rosinality checkpoint has tensors with no NVlabs counterpart: \(leftover.prefix(6).joined(separator: ", "))")
        }
        let config = try GeneratorConfig(inferringFrom: nvlabs)
        return (config, nvlabs)
    }
}
