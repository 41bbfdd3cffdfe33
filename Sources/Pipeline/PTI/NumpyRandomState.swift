import Foundation

/// NumPy's legacy `numpy.random.RandomState(seed)`: MT19937 and the polar-method Gaussian with a cached
/// second value. PTI draws its 600 w-statistics latents as `RandomState(123).randn(600, 512)`; reproducing
/// the stream makes Pivot's w_avg and w_std the same numbers the official code starts from.
public struct NumpyRandomState: Sendable {
    private var key = [UInt32](repeating: 0, count: 624)
    private var position = 624
    private var cachedGaussian: Double?

    /// `RandomState(seed)` for an integer seed in 0 ..< 2³² (`mt19937_seed`).
    public init(seed: UInt32) {
        var s = seed
        for i in 0..<624 {
            key[i] = s
            s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
        }
    }

    /// The next 32-bit output of MT19937 (tempered).
    public mutating func nextUInt32() -> UInt32 {
        if position == 624 { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// A double in [0, 1) with 53 random bits (`random_sample`).
    public mutating func nextDouble() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864 + b) / 9_007_199_254_740_992
    }

    /// One standard normal value (`legacy_gauss`).
    public mutating func nextGaussian() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * nextDouble() - 1
            x2 = 2 * nextDouble() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * log(r2) / r2).squareRoot()
        cachedGaussian = f * x1
        return f * x2
    }

    /// `randn(count)` in C order.
    public mutating func gaussians(_ count: Int) -> [Double] { (0..<count).map { _ in nextGaussian() } }

    private mutating func regenerate() {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7FFF_FFFF
        for i in 0..<624 {
            let y = (key[i] & upper) | (key[(i + 1) % 624] & lower)
            key[i] = key[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }
}
