/// The [1,3,3,1] FIR resampling of StyleGAN2 (stylegan2.md §3.4) on NHWC images, separable, zero outside:
///   upsample2d (skip image, n → 2n):      x[k] feeds y[2k−1+a] with taps h[a], h = [1,3,3,1]/4
///   blur after conv0's transposed conv:   y[m] = Σ h[a]·t[m−1+a], (2n+1) → 2n
/// Each backward is the other direction (gather ↔ scatter) of the same taps.
enum StyleGAN2Resampling {
    static let taps: [Float] = [0.25, 0.75, 0.75, 0.25]

    /// [size][size][c] -> [2·size][2·size][c].
    static func upsample(_ x: [Float], size: Int, channels: Int) -> [Float] {
        separable(x, size: size, channels: channels, outSize: 2 * size, step: 2, scatter: true)
    }

    /// Adjoint of `upsample`: [2·size][2·size][c] -> [size][size][c].
    static func upsampleBackward(_ dy: [Float], size: Int, channels: Int) -> [Float] {
        separable(dy, size: 2 * size, channels: channels, outSize: size, step: 2, scatter: false)
    }

    /// [(2n+1)]²[c] -> [2n]²[c].
    static func blur(_ t: [Float], outSize: Int, channels: Int) -> [Float] {
        separable(t, size: outSize + 1, channels: channels, outSize: outSize, step: 1, scatter: false)
    }

    /// Adjoint of `blur`: [2n]²[c] -> [(2n+1)]²[c].
    static func blurBackward(_ dy: [Float], outSize: Int, channels: Int) -> [Float] {
        separable(dy, size: outSize, channels: channels, outSize: outSize + 1, step: 1, scatter: true)
    }

    /// Along W, then along H. Gather: out[m] = Σ h[a]·in[step·m − 1 + a]; scatter: out[step·k − 1 + a] += h[a]·in[k].
    private static func separable(_ x: [Float], size: Int, channels c: Int, outSize: Int, step: Int,
                                  scatter: Bool) -> [Float] {
        var rows = [Float](repeating: 0, count: size * outSize * c)
        fir(x, outer: size, length: size, inner: c, into: &rows, outLength: outSize, step: step, scatter: scatter)
        var out = [Float](repeating: 0, count: outSize * outSize * c)
        fir(rows, outer: 1, length: size, inner: outSize * c, into: &out, outLength: outSize, step: step, scatter: scatter)
        return out
    }

    /// 1-D FIR along the middle axis of [outer][length][inner] into [outer][outLength][inner].
    private static func fir(_ x: [Float], outer: Int, length: Int, inner: Int, into out: inout [Float],
                            outLength: Int, step: Int, scatter: Bool) {
        x.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                for o in 0..<outer {
                    let xBase = o * length * inner, yBase = o * outLength * inner
                    // In gather form position m reads k = step·m − 1 + a; in scatter form k writes there.
                    let (from, to) = scatter ? (length, outLength) : (outLength, length)
                    for m in 0..<from {
                        for a in 0..<4 {
                            let k = step * m - 1 + a
                            guard k >= 0 && k < to else { continue }
                            let (src, dst) = scatter ? (m, k) : (k, m)
                            let tap = taps[a]
                            for i in 0..<inner { y[yBase + dst * inner + i] += tap * x[xBase + src * inner + i] }
                        }
                    }
                }
            }
        }
    }
}
