/// LPIPS `normalize_tensor` per pixel of an NHWC tensor: `n = f / (‖f‖₂ + ε)` over the channels, with
/// ε = 1e-10 added outside the square root (lpips.md §1.1).
///
/// Backward (needs the input `f`): `df = dn/(N+ε) − f·Σ_c(dn·f) / ((N+ε)²·N)` with `N = ‖f‖₂`.
/// At an all-zero pixel (N = 0) PyTorch's gradient is NaN; here it is **0** (lpips.md §5 recommends
/// this, and the ReLU before it would discard that gradient anyway).
public enum ChannelNormalize {
    public static let epsilon: Float = 1e-10

    public static func forward(_ f: UnsafePointer<Float>, shape: NHWCShape, output: UnsafeMutablePointer<Float>) {
        let c = shape.channels
        Parallel.forEachRange(shape.batch * shape.pixels, grain: 256) { pixels in
            for p in pixels { _ = forwardPixel(f + p * c, channels: c, output: output + p * c) }
        }
    }

    /// `forward` for one pixel of `channels` values; returns ‖f‖₂ (for `backwardPixel`).
    public static func forwardPixel(_ f: UnsafePointer<Float>, channels c: Int, output: UnsafeMutablePointer<Float>) -> Float {
        let n = norm(f, channels: c)
        let scale = SIMD8<Float>(repeating: 1 / (n + epsilon))
        for ch in stride(from: 0, to: c, by: 8) {
            let lanes = min(8, c - ch)
            (SIMD8<Float>(loading: f + ch, count: lanes) * scale).store(to: output + ch, count: lanes)
        }
        return n
    }

    /// `gradInput` (overwritten; may be `gradOutput`'s memory) from `gradOutput` = dL/dn.
    public static func backward(_ f: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, shape: NHWCShape,
                                gradInput: UnsafeMutablePointer<Float>) {
        let c = shape.channels
        Parallel.forEachRange(shape.batch * shape.pixels, grain: 256) { pixels in
            for p in pixels {
                backwardPixel(f + p * c, norm: norm(f + p * c, channels: c), gradOutput: gradOutput + p * c,
                              channels: c, gradInput: gradInput + p * c)
            }
        }
    }

    /// `backward` for one pixel of `channels` values whose ‖f‖₂ is `n`; `gradInput` may be `gradOutput`.
    public static func backwardPixel(_ x: UnsafePointer<Float>, norm n: Float, gradOutput dn: UnsafePointer<Float>,
                                     channels c: Int, gradInput dx: UnsafeMutablePointer<Float>) {
        var dotSum = SIMD8<Float>()
        for ch in stride(from: 0, to: c, by: 8) {
            let lanes = min(8, c - ch)
            dotSum = dotSum.addingProduct(SIMD8(loading: dn + ch, count: lanes), SIMD8(loading: x + ch, count: lanes))
        }
        let denominator = n + epsilon
        let direct = SIMD8<Float>(repeating: n == 0 ? 0 : 1 / denominator)
        let radial = SIMD8<Float>(repeating: n == 0 ? 0 : dotSum.sum() / (denominator * denominator * n))
        for ch in stride(from: 0, to: c, by: 8) {
            let lanes = min(8, c - ch)
            let g = SIMD8<Float>(loading: dn + ch, count: lanes) * direct - SIMD8<Float>(loading: x + ch, count: lanes) * radial
            g.store(to: dx + ch, count: lanes)
        }
    }

    /// ‖x‖₂ over `channels` floats.
    @inline(__always)
    private static func norm(_ x: UnsafePointer<Float>, channels c: Int) -> Float {
        var sum = SIMD8<Float>()
        for ch in stride(from: 0, to: c, by: 8) {
            let v = SIMD8<Float>(loading: x + ch, count: min(8, c - ch))
            sum = sum.addingProduct(v, v)
        }
        return sum.sum().squareRoot()
    }
}
