import Foundation

/// Random generators for tests: every tensor named and shaped as in a G_ema state_dict (stylegan2.md §7.4),
/// filled like the fixtures (NVlabs init plus small perturbations so that every path is non-trivial).
extension ReferenceGenerator {
    public static func random(config: Config, seed: UInt64) -> ReferenceGenerator {
        var rng = SplitMix64(seed: seed)
        var tensors: [String: [Double]] = [:]
        func normal(_ count: Int, scale: Double = 1, mean: Double = 0) -> [Double] {
            (0..<count).map { _ in mean + scale * rng.nextNormal() }
        }
        let wd = config.wDim
        for r in config.blockResolutions {
            let b = "synthesis.b\(r)", c = config.channels(r)
            var convs: [(String, Int)] = [("conv1", c)]
            if r == 4 { tensors["\(b).const"] = normal(c * 16) } else { convs.insert(("conv0", config.channels(r / 2)), at: 0) }
            for (conv, inputs) in convs {
                tensors["\(b).\(conv).weight"] = normal(c * inputs * 9)
                tensors["\(b).\(conv).bias"] = normal(c, scale: 0.1)
                tensors["\(b).\(conv).noise_strength"] = normal(1, scale: 0.1)
                tensors["\(b).\(conv).noise_const"] = normal(r * r)
                tensors["\(b).\(conv).affine.weight"] = normal(inputs * wd)
                tensors["\(b).\(conv).affine.bias"] = normal(inputs, scale: 0.1, mean: 1)
            }
            tensors["\(b).torgb.weight"] = normal(3 * c)
            tensors["\(b).torgb.bias"] = normal(3, scale: 0.1)
            tensors["\(b).torgb.affine.weight"] = normal(c * wd)
            tensors["\(b).torgb.affine.bias"] = normal(c, scale: 0.1, mean: 1)
        }
        var features = config.zDim
        for layer in 0..<config.mappingLayers {
            tensors["mapping.fc\(layer).weight"] = normal(wd * features, scale: 100)   // N(0,1)/lr_mult
            tensors["mapping.fc\(layer).bias"] = normal(wd, scale: 0.1)
            features = wd
        }
        tensors["mapping.w_avg"] = normal(wd, scale: 0.5)
        return ReferenceGenerator(config: config, tensors: tensors)
    }
}

/// Deterministic test RNG (SplitMix64) with Box–Muller normals.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func nextNormal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}
