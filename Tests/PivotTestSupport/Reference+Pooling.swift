import SIMDKernels

/// PyTorch `max_pool2d` (CPU kernel, no padding, floor mode) as scalar Double loops: the arg-max is the first
/// maximum in row-major window order (`val > max || isnan(val)` replaces it).
public enum PoolingReference {
    /// Output values and, per output element, the flat input index of its arg-max.
    public static func maxPool(_ x: [Double], shape s: NHWCShape, window k: Int, stride: Int)
        -> (values: [Double], argmax: [Int], shape: NHWCShape) {
        let out = NHWCShape(batch: s.batch, height: (s.height - k) / stride + 1, width: (s.width - k) / stride + 1,
                            channels: s.channels)
        var values = [Double](repeating: 0, count: out.count), argmax = [Int](repeating: 0, count: out.count)
        for n in 0..<s.batch { for oy in 0..<out.height { for ox in 0..<out.width { for c in 0..<s.channels {
            var best = -Double.infinity
            var index = ((n * s.height + oy * stride) * s.width + ox * stride) * s.channels + c
            for ky in 0..<k { for kx in 0..<k {
                let i = ((n * s.height + oy * stride + ky) * s.width + ox * stride + kx) * s.channels + c
                if x[i] > best || x[i].isNaN { best = x[i]; index = i }
            } }
            let o = ((n * out.height + oy) * out.width + ox) * s.channels + c
            values[o] = best
            argmax[o] = index
        } } } }
        return (values, argmax, out)
    }

    /// Each output gradient added to its arg-max input.
    public static func maxPoolBackward(_ x: [Double], shape: NHWCShape, window: Int, stride: Int,
                                       gradOutput: [Double]) -> [Double] {
        var dx = [Double](repeating: 0, count: x.count)
        for (o, i) in maxPool(x, shape: shape, window: window, stride: stride).argmax.enumerated() { dx[i] += gradOutput[o] }
        return dx
    }
}
