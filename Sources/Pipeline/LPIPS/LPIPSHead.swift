import SIMDKernels

/// A lin head on normalised features: r = mean over pixels of Σ_c w[c]·(n0 − n1)² (a 1×1 conv without bias,
/// then a spatial mean), with n0 the normalised tap (`ChannelNormalize`). The tap's normalisation, the head
/// and both their backward passes run in one pass per pixel, so n0 and ∂r/∂n0 never leave the cache.
struct LPIPSHead: Sendable {
    let weights: [Float]

    /// Pixels per parallel chunk: fixed, so that the total does not depend on the thread count.
    private static let chunkPixels = 512

    /// r for the tap `f` against the target's normalised tap `n1`, `pixels` pixels of `weights.count` channels
    /// (NHWC), and ∂r/∂f written to `gradient` when given. Accumulates each pixel in Float and the total in
    /// Double, so large maps do not lose the small terms.
    func term(_ f: UnsafePointer<Float>, _ n1: UnsafePointer<Float>, pixels: Int,
              gradient: UnsafeMutablePointer<Float>? = nil) -> Double {
        let channels = weights.count, chunks = (pixels + Self.chunkPixels - 1) / Self.chunkPixels
        let scale = SIMD8<Float>(repeating: 2 / Float(pixels))
        var partials = [Double](repeating: 0, count: chunks)
        weights.withUnsafeBufferPointer { w in
            partials.withUnsafeMutableBufferPointer { partials in
                nonisolated(unsafe) let (f, n1, gradient, w, partials) = (f, n1, gradient, w.baseAddress!, partials)
                Parallel.forEach(chunks) { chunk in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: channels) { n0 in
                        let n0 = n0.baseAddress!
                        var total = 0.0
                        for p in (chunk * Self.chunkPixels)..<min(pixels, (chunk + 1) * Self.chunkPixels) {
                            let pixel = p * channels
                            let norm = ChannelNormalize.forwardPixel(f + pixel, channels: channels, output: n0)
                            var sum = SIMD8<Float>()
                            for c in stride(from: 0, to: channels, by: 8) {
                                let lanes = min(8, channels - c)
                                let weight = SIMD8<Float>(loading: w + c, count: lanes)
                                let d = SIMD8<Float>(loading: n0 + c, count: lanes)
                                    - SIMD8<Float>(loading: n1 + pixel + c, count: lanes)
                                sum += weight * d * d
                                // ∂r/∂n0 = 2·w[c]·(n0 − n1) / pixels, kept in n0's place.
                                (scale * weight * d).store(to: n0 + c, count: lanes)
                            }
                            total += Double(sum.sum())
                            if let gradient {
                                ChannelNormalize.backwardPixel(f + pixel, norm: norm, gradOutput: n0, channels: channels,
                                                               gradInput: gradient + pixel)
                            }
                        }
                        partials[chunk] = total
                    }
                }
            }
        }
        return partials.reduce(0, +) / Double(pixels)
    }
}
