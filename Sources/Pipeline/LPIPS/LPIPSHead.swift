/// A lin head on normalised features: r = mean over pixels of Σ_c w[c]·(n0 − n1)² (a 1×1 conv without bias,
/// then a spatial mean), forward and backward side by side.
struct LPIPSHead: Sendable {
    let weights: [Float]

    /// r for `pixels` pixels of `weights.count` channels (NHWC). Accumulates each pixel in Float and the
    /// total in Double, so large maps do not lose the small terms.
    func term(_ n0: UnsafePointer<Float>, _ n1: UnsafePointer<Float>, pixels: Int) -> Double {
        let channels = weights.count
        return weights.withUnsafeBufferPointer { w in
            var total = 0.0
            for p in 0..<pixels {
                let a = n0 + p * channels, b = n1 + p * channels
                var sum: Float = 0
                for c in 0..<channels {
                    let d = a[c] - b[c]
                    sum += w[c] * d * d
                }
                total += Double(sum)
            }
            return total / Double(pixels)
        }
    }

    /// ∂r/∂n0 = 2·w[c]·(n0 − n1) / pixels, written to `gradient`.
    func termBackward(_ n0: UnsafePointer<Float>, _ n1: UnsafePointer<Float>, pixels: Int,
                      gradient: UnsafeMutablePointer<Float>) {
        let channels = weights.count
        let scale = 2 / Float(pixels)
        weights.withUnsafeBufferPointer { w in
            for p in 0..<pixels {
                let offset = p * channels
                for c in 0..<channels { gradient[offset + c] = scale * w[c] * (n0[offset + c] - n1[offset + c]) }
            }
        }
    }
}
