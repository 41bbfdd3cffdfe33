/// Randomly initialised generators in any configuration, for benchmarks and tests (NVlabs init: weights
/// N(0,1), mapping weights N(0,1)/0.01, affine biases 1, other biases, noise strengths and w_avg 0,
/// noise maps N(0,1)). Tensor names and sizes come from `GeneratorConfig.expectedTensors`.
extension StyleGAN2Generator {
    public static func random(config: GeneratorConfig, seed: UInt64) -> StyleGAN2Generator {
        let counts = config.expectedCounts
        var rng = SplitMix64(seed: seed)
        return StyleGAN2Generator(config: config) { name in
            let scale: Float = name.hasPrefix("mapping.fc") && name.hasSuffix("weight") ? 100 : 1
            let constant: Float? = name.hasSuffix("affine.bias") ? 1
                : name.hasSuffix(".bias") || name.hasSuffix("noise_strength") || name == "mapping.w_avg" ? 0 : nil
            return (0..<(counts[name] ?? 0)).map { _ in constant ?? scale * rng.nextNormal() }
        }
    }
}
