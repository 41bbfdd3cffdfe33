/// The StyleGAN2(-ADA) generator G_ema: mapping network plus synthesis network, float32, NHWC, one sample.
public struct StyleGAN2Generator: Sendable {
    public var mapping: MappingNetwork
    public var synthesis: SynthesisNetwork

    public var resolution: Int { synthesis.resolution }
    public var numWs: Int { synthesis.numWs }

    /// ws for a latent z: mapping, then truncation (psi 1 = none).
    public func ws(z: [Float], psi: Float = 1, cutoff: Int? = nil) -> [[Float]] {
        mapping.truncate(mapping(z), psi: psi, cutoff: cutoff, count: numWs)
    }
}

/// An input the generator cannot take (a latent of the wrong size, ...); the message says which.
public struct GeneratorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StyleGAN2Generator {
    /// z for `pivot generate --seed N`: zDim N(0,1) values from SplitMix64 (Box–Muller). This is Pivot's own
    /// stream; it cannot reproduce torch's RNG, so seed N gives a different face than NVlabs' seed N.
    public func latent(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<mapping.zDim).map { _ in rng.nextNormal() }
    }
}
