/// Randomly initialised generators in any official configuration, for benchmarks and tests
/// (NVlabs init: weights N(0,1), mapping weights N(0,1)/0.01, affine biases 1, noise maps N(0,1)).
extension StyleGAN2Generator {
    /// The G_ema state_dict names and sizes of a generator (stylegan2.md §7.4), C(r) = min(base/r, max).
    public static func tensorSizes(resolution: Int, channelBase: Int, channelMax: Int, mappingLayers: Int,
                                   zDim: Int = 512, wDim: Int = 512) -> [(name: String, count: Int)] {
        func channels(_ r: Int) -> Int { min(channelBase / r, channelMax) }
        var sizes: [(String, Int)] = []
        var r = 4
        while r <= resolution {
            let b = "synthesis.b\(r)", c = channels(r)
            if r == 4 { sizes.append(("\(b).const", c * 16)) }
            for (conv, inputs) in r == 4 ? [("conv1", c)] : [("conv0", channels(r / 2)), ("conv1", c)] {
                sizes += [("\(b).\(conv).weight", c * inputs * 9), ("\(b).\(conv).bias", c),
                          ("\(b).\(conv).noise_strength", 1), ("\(b).\(conv).noise_const", r * r),
                          ("\(b).\(conv).affine.weight", inputs * wDim), ("\(b).\(conv).affine.bias", inputs)]
            }
            sizes += [("\(b).torgb.weight", 3 * c), ("\(b).torgb.bias", 3),
                      ("\(b).torgb.affine.weight", c * wDim), ("\(b).torgb.affine.bias", c)]
            r *= 2
        }
        sizes.append(("mapping.w_avg", wDim))
        for i in 0..<mappingLayers {
            sizes += [("mapping.fc\(i).weight", wDim * (i == 0 ? zDim : wDim)), ("mapping.fc\(i).bias", wDim)]
        }
        return sizes
    }

    public static func random(resolution: Int, channelBase: Int, channelMax: Int, mappingLayers: Int,
                              convClamp: Float?, seed: UInt64) throws -> StyleGAN2Generator {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: [Float]] = [:]
        for (name, count) in tensorSizes(resolution: resolution, channelBase: channelBase, channelMax: channelMax,
                                         mappingLayers: mappingLayers) {
            let scale: Float = name.hasPrefix("mapping.fc") && name.hasSuffix("weight") ? 100 : 1
            let constant: Float? = name.hasSuffix("affine.bias") ? 1
                : name.hasSuffix(".bias") || name.hasSuffix("noise_strength") || name == "mapping.w_avg" ? 0 : nil
            tensors[name] = (0..<count).map { _ in constant ?? scale * rng.nextNormal() }
        }
        return try StyleGAN2Generator(resolution: resolution, mappingLayers: mappingLayers, convClamp: convClamp,
                                      source: "random generator") { tensors[$0]! }
    }
}
