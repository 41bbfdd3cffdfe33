/// Deterministic pseudo-random numbers for tests (SplitMix64), so every failure reproduces.
public struct TestRandom {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var bits = state
        bits = (bits ^ (bits >> 30)) &* 0xBF58_476D_1CE4_E5B9
        bits = (bits ^ (bits >> 27)) &* 0x94D0_49BB_1331_11EB
        return bits ^ (bits >> 31)
    }

    /// Uniform in [-1, 1).
    public mutating func uniform() -> Float { Float(Double(next() >> 11) * 0x1p-53 * 2 - 1) }

    public mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in uniform() } }
}
