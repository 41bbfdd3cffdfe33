import SIMDKernels

/// LPIPS's ScalingLayer: x' = (x − shift) / scale per RGB channel (ImageNet mean/std rewritten for inputs in
/// [−1, 1], specs/lpips.md §1.2), forward and backward.
enum LPIPSScaling {
    static let shift: [Float] = [-0.030, -0.088, -0.188]
    static let scale: [Float] = [0.458, 0.448, 0.450]

    static func forward(_ image: [Float]) -> [Float] {
        let (shift, scale) = (shift, scale)
        return [Float](unsafeUninitializedCapacity: image.count) { scaled, count in
            nonisolated(unsafe) let scaled = scaled.baseAddress!
            image.withUnsafeBufferPointer { source in
                nonisolated(unsafe) let source = source.baseAddress!
                forEachChannel(image.count) { i, c in scaled[i] = (source[i] - shift[c]) / scale[c] }
            }
            count = image.count
        }
    }

    /// ∂L/∂x = ∂L/∂x' / scale, in place.
    static func backward(_ gradient: inout [Float]) {
        let scale = scale
        gradient.withUnsafeMutableBufferPointer { g in
            let count = g.count
            nonisolated(unsafe) let g = g.baseAddress!
            forEachChannel(count) { i, c in g[i] /= scale[c] }
        }
    }

    /// `body(index, channel)` for every value of an RGB image of `count` floats, in parallel chunks of pixels.
    @inline(__always)
    private static func forEachChannel(_ count: Int, _ body: (Int, Int) -> Void) {
        Parallel.forEachRange(count / 3) { pixels in
            for p in pixels {
                for c in 0..<3 { body(p * 3 + c, c) }
            }
        }
    }
}
