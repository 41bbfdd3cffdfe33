import SIMDKernels

/// Scalar Double references for upfirdn2d and area resizing, written as literally as the upstream code.
public enum ResamplingReference {
    /// NVlabs `_upfirdn2d_ref` in four steps on one NHWC tensor: zero-insert, pad/crop, true 2-D convolution
    /// with the full `f ⊗ f · gain` kernel (correlation when `flipFilter`), keep every `down`-th sample.
    public static func upfirdn2d(_ x: [Float], shape s: NHWCShape, filter: [Float], up: Int, down: Int,
                                 padX0: Int, padX1: Int, padY0: Int, padY1: Int, gain: Double,
                                 flipFilter: Bool) -> (values: [Double], shape: NHWCShape) {
        let taps = filter.count
        // Step 1: zero insertion.
        let upH = s.height * up, upW = s.width * up
        // Step 2: padding (negative crops); canvas index (y, x) ← upsampled (y − padY0, x − padX0).
        let padH = upH + padY0 + padY1, padW = upW + padX0 + padX1
        func canvas(_ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Double {
            let uy = y - padY0, ux = x - padX0
            guard uy >= 0, ux >= 0, uy < upH, ux < upW, uy % up == 0, ux % up == 0 else { return 0 }
            return Double(x_(n, uy / up, ux / up, c))
        }
        func x_(_ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Float { x[((n * s.height + h) * s.width + w) * s.channels + c] }
        // Step 3: F.conv2d correlates with the kernel, flipped first unless flipFilter.
        let kernel: [[Double]] = (0..<taps).map { a in (0..<taps).map { b in
            let (fa, fb) = flipFilter ? (a, b) : (taps - 1 - a, taps - 1 - b)
            return Double(filter[fa]) * Double(filter[fb]) * gain
        } }
        let convH = padH - taps + 1, convW = padW - taps + 1
        // Step 4: keep every down-th sample.
        let outH = (convH - 1) / down + 1, outW = (convW - 1) / down + 1
        let outShape = NHWCShape(batch: s.batch, height: outH, width: outW, channels: s.channels)
        var y = [Double](repeating: 0, count: outShape.count)
        for n in 0..<s.batch { for oy in 0..<outH { for ox in 0..<outW { for c in 0..<s.channels {
            var sum = 0.0
            for a in 0..<taps { for b in 0..<taps {
                sum += kernel[a][b] * canvas(n, oy * down + a, ox * down + b, c)
            } }
            y[((n * outH + oy) * outW + ox) * s.channels + c] = sum
        } } } }
        return (y, outShape)
    }

    /// stylegan2.md §3.4 closed form of `upsample2d`, per axis: y[2P] = ¼x[P−1] + ¾x[P],
    /// y[2P+1] = ¾x[P] + ¼x[P+1], with x zero outside the image.
    public static func upsample2d(_ x: [Float], shape s: NHWCShape) -> [Double] {
        func axis(_ line: [Double]) -> [Double] {
            let at = { (i: Int) in i >= 0 && i < line.count ? line[i] : 0 }
            return (0..<2 * line.count).map { m in
                let p = m / 2
                return m % 2 == 0 ? 0.25 * at(p - 1) + 0.75 * at(p) : 0.75 * at(p) + 0.25 * at(p + 1)
            }
        }
        let h2 = 2 * s.height, w2 = 2 * s.width, c = s.channels
        var y = [Double](repeating: 0, count: s.batch * h2 * w2 * c)
        for n in 0..<s.batch { for ch in 0..<c {
            let rows = (0..<s.height).map { h in
                axis((0..<s.width).map { w in Double(x[((n * s.height + h) * s.width + w) * c + ch]) })
            }
            for ox in 0..<w2 {
                let column = axis(rows.map { $0[ox] })
                for oy in 0..<h2 { y[((n * h2 + oy) * w2 + ox) * c + ch] = column[oy] }
            }
        } }
        return y
    }

    /// PyTorch `adaptive_avg_pool2d`: the mean over rows ⌊i·H/h⌋..<⌈(i+1)·H/h⌉ × the same for columns.
    public static func area(_ x: [Float], shape s: NHWCShape, outputHeight h: Int, outputWidth w: Int) -> [Double] {
        var y = [Double](repeating: 0, count: s.batch * h * w * s.channels)
        for n in 0..<s.batch { for i in 0..<h { for j in 0..<w { for c in 0..<s.channels {
            let r0 = i * s.height / h, r1 = ((i + 1) * s.height + h - 1) / h
            let c0 = j * s.width / w, c1 = ((j + 1) * s.width + w - 1) / w
            var sum = 0.0
            for r in r0..<r1 { for q in c0..<c1 { sum += Double(x[((n * s.height + r) * s.width + q) * s.channels + c]) } }
            y[((n * h + i) * w + j) * s.channels + c] = sum / Double((r1 - r0) * (c1 - c0))
        } } } }
        return y
    }
}
