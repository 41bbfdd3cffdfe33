import SIMDKernels

/// A lin head on normalised features: r = mean over pixels of Σ_c w[c]·(n0 − n1)² (a 1×1 conv without bias,
/// then a spatial mean), forward and backward in one pass.
struct LPIPSHead: Sendable {
    let weights: [Float]

    /// Pixels per parallel chunk: fixed, so that the total does not depend on the thread count.
    private static let chunkPixels = 512

    /// r for `pixels` pixels of `weights.count` channels (NHWC), and ∂r/∂n0 = 2·w[c]·(n0 − n1) / pixels written
    /// to `gradient` when given. Accumulates each pixel in Float and the total in Double, so large maps do not
    /// lose the small terms.
    func term(_ n0: UnsafePointer<Float>, _ n1: UnsafePointer<Float>, pixels: Int,
              gradient: UnsafeMutablePointer<Float>? = nil) -> Double {
        let channels = weights.count, chunks = (pixels + Self.chunkPixels - 1) / Self.chunkPixels
        let scale = SIMD8<Float>(repeating: 2 / Float(pixels))
        var partials = [Double](repeating: 0, count: chunks)
        weights.withUnsafeBufferPointer { w in
            partials.withUnsafeMutableBufferPointer { partials in
                nonisolated(unsafe) let (n0, n1, gradient, w, partials) = (n0, n1, gradient, w.baseAddress!, partials)
                Parallel.forEach(chunks) { chunk in
                    var total = 0.0
                    for p in (chunk * Self.chunkPixels)..<min(pixels, (chunk + 1) * Self.chunkPixels) {
                        var sum = SIMD8<Float>()
                        for c in stride(from: 0, to: channels, by: 8) {
                            let lanes = min(8, channels - c), offset = p * channels + c
                            let weight = SIMD8<Float>(loading: w + c, count: lanes)
                            let d = SIMD8<Float>(loading: n0 + offset, count: lanes) - SIMD8<Float>(loading: n1 + offset, count: lanes)
                            sum += weight * d * d
                            if let gradient { (scale * weight * d).store(to: gradient + offset, count: lanes) }
                        }
                        total += Double(sum.sum())
                    }
                    partials[chunk] = total
                }
            }
        }
        return partials.reduce(0, +) / Double(pixels)
    }
}
