/// Sums over dense float arrays and NHWC tensors, accumulated in Float vectors per small chunk and in
/// Double across chunks (so a 1024² map sums to about Float precision, not 10⁶·ε).
public enum Reduce {
    /// Σ x[i].
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        accumulate(count: count) { acc, i, lanes in acc += SIMD8(loading: x + i, count: lanes) }
    }

    /// Σ x[i]².
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        accumulate(count: count) { acc, i, lanes in
            let v = SIMD8<Float>(loading: x + i, count: lanes)
            acc = acc.addingProduct(v, v)
        }
    }

    /// Σ a[i]·b[i].
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        accumulate(count: count) { acc, i, lanes in
            acc = acc.addingProduct(SIMD8(loading: a + i, count: lanes), SIMD8(loading: b + i, count: lanes))
        }
    }

    /// Σ (a[i] − b[i])².
    public static func sumOfSquaredDifferences(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        accumulate(count: count) { acc, i, lanes in
            let d = SIMD8<Float>(loading: a + i, count: lanes) - SIMD8<Float>(loading: b + i, count: lanes)
            acc = acc.addingProduct(d, d)
        }
    }

    /// Per image and channel, Σ over the image's pixels of x (or of x² when `squared`): `output[n][c]`.
    /// The spatial mean is this divided by `shape.pixels`.
    public static func channelSums(_ x: UnsafePointer<Float>, shape: NHWCShape, squared: Bool = false,
                                   output: UnsafeMutablePointer<Float>) {
        let c = shape.channels, chunk = 256
        let chunksPerImage = (shape.pixels + chunk - 1) / chunk
        let totals = Parallel.sumOfPartials(chunks: shape.batch * chunksPerImage, width: shape.batch * c) { k, partial in
            let (n, piece) = k.quotientAndRemainder(dividingBy: chunksPerImage)
            let sums = partial + n * c
            for p in (piece * chunk)..<min(shape.pixels, (piece + 1) * chunk) {
                let row = x + (n * shape.pixels + p) * c
                for ch in stride(from: 0, to: c, by: 8) {
                    let lanes = min(8, c - ch), v = SIMD8<Float>(loading: row + ch, count: lanes)
                    let sum = SIMD8<Float>(loading: sums + ch, count: lanes)
                    (squared ? sum.addingProduct(v, v) : sum + v).store(to: sums + ch, count: lanes)
                }
            }
        }
        for j in 0..<(shape.batch * c) { output[j] = Float(totals[j]) }
    }

    /// `body(accumulator, first index, lanes)` adds terms for `lanes` (≤ 8) consecutive indices.
    @inline(__always)
    private static func accumulate(count: Int, _ body: (inout SIMD8<Float>, Int, Int) -> Void) -> Double {
        let chunk = 4096
        return Parallel.sumOfPartials(chunks: (count + chunk - 1) / chunk, width: 1) { k, partial in
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>(), acc2 = SIMD8<Float>(), acc3 = SIMD8<Float>()
            var i = k * chunk
            let end = min(count, i + chunk)
            while i + 32 <= end {
                body(&acc0, i, 8)
                body(&acc1, i + 8, 8)
                body(&acc2, i + 16, 8)
                body(&acc3, i + 24, 8)
                i += 32
            }
            while i < end {
                body(&acc0, i, min(8, end - i))
                i += 8
            }
            partial.pointee = ((acc0 + acc1) + (acc2 + acc3)).sum()
        }[0]
    }
}
