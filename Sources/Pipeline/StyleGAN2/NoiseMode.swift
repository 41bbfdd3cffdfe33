import Foundation

/// Per-pixel noise added after each modulated convolution (stylegan2.md §5.6).
public enum NoiseMode: Sendable, Equatable {
    /// The stored `noise_const` maps: reproducible (PTI rendering, projection, tuning).
    case const
    /// Fresh N(0,1) maps from a seeded generator (a Swift RNG: not torch's stream; reproducible per seed).
    case random(seed: UInt64)
    /// No noise (PTI's locality regulariser).
    case none
}

extension SynthesisLayer {
    /// The map this layer adds (before the strength), or nil for `.none`. `index` numbers the layers of
    /// the network so that `.random` draws a different map for each.
    func noiseMap(_ mode: NoiseMode, layerIndex index: Int) -> [Float]? {
        switch mode {
        case .const: return noiseConst
        case .none: return nil
        case .random(let seed):
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
            return (0..<(resolution * resolution)).map { _ in rng.nextNormal() }
        }
    }
}

/// SplitMix64 with Box–Muller normals: small, fast and deterministic across platforms.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextNormal() -> Float {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self), v = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
}
