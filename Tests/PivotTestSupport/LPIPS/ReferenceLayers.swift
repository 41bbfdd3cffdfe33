/// ReLU, max pooling, LPIPS's per-pixel normalisation and its lin head, each as forward and backward in Double.
public enum ReferenceLayers {
    public static func relu(_ x: ReferenceImage) -> ReferenceImage {
        var y = x
        for i in y.values.indices where !(y.values[i] > 0) { y.values[i] = 0 }
        return y
    }

    /// Select semantics (PyTorch's `where(out > 0, g, 0)`): a NaN upstream of an inactive unit is dropped.
    public static func reluBackward(_ dy: ReferenceImage, output y: ReferenceImage) -> ReferenceImage {
        var dx = dy
        for i in dx.values.indices where !(y.values[i] > 0) { dx.values[i] = 0 }
        return dx
    }

    /// Floor-mode max pooling without padding.
    public static func maxPool(_ x: ReferenceImage, window: Int, stride: Int) -> ReferenceImage {
        var y = ReferenceImage(height: (x.height - window) / stride + 1, width: (x.width - window) / stride + 1,
                               channels: x.channels)
        for oy in 0..<y.height {
            for ox in 0..<y.width {
                for c in 0..<x.channels {
                    y.values[y.index(oy, ox, c)] = x.values[argMax(x, oy, ox, c, window, stride)]
                }
            }
        }
        return y
    }

    /// Routes each output gradient to its window's first maximum (row-major order, strict `>`), like PyTorch.
    public static func maxPoolBackward(_ dy: ReferenceImage, input x: ReferenceImage, window: Int, stride: Int)
        -> ReferenceImage {
        var dx = ReferenceImage(height: x.height, width: x.width, channels: x.channels)
        for oy in 0..<dy.height {
            for ox in 0..<dy.width {
                for c in 0..<x.channels {
                    dx.values[argMax(x, oy, ox, c, window, stride)] += dy.values[dy.index(oy, ox, c)]
                }
            }
        }
        return dx
    }

    private static func argMax(_ x: ReferenceImage, _ oy: Int, _ ox: Int, _ c: Int, _ window: Int, _ stride: Int) -> Int {
        var best = x.index(oy * stride, ox * stride, c)
        for ky in 0..<window {
            for kx in 0..<window {
                let i = x.index(oy * stride + ky, ox * stride + kx, c)
                if x.values[i] > x.values[best] { best = i }
            }
        }
        return best
    }

    /// LPIPS's epsilon, added to the norm outside the square root.
    public static let normEpsilon = 1e-10

    /// n = f / (‖f‖ + ε) over the channels of each pixel.
    public static func normalize(_ f: ReferenceImage) -> ReferenceImage {
        var n = f
        for p in 0..<f.pixelCount {
            let base = p * f.channels
            var sumSquares = 0.0
            for c in 0..<f.channels { sumSquares += f.values[base + c] * f.values[base + c] }
            let denominator = sumSquares.squareRoot() + normEpsilon
            for c in 0..<f.channels { n.values[base + c] = f.values[base + c] / denominator }
        }
        return n
    }

    /// ∂f = ∂n/(N+ε) − f·Σ(∂n·f)/((N+ε)²·N), defined as 0 at an all-zero pixel (N = 0) where it is 0/0.
    public static func normalizeBackward(_ dn: ReferenceImage, input f: ReferenceImage) -> ReferenceImage {
        var df = ReferenceImage(height: f.height, width: f.width, channels: f.channels)
        for p in 0..<f.pixelCount {
            let base = p * f.channels
            var sumSquares = 0.0, dot = 0.0
            for c in 0..<f.channels {
                sumSquares += f.values[base + c] * f.values[base + c]
                dot += dn.values[base + c] * f.values[base + c]
            }
            let norm = sumSquares.squareRoot()
            if norm == 0 { continue }
            let denominator = norm + normEpsilon
            for c in 0..<f.channels {
                df.values[base + c] = dn.values[base + c] / denominator
                    - f.values[base + c] * dot / (denominator * denominator * norm)
            }
        }
        return df
    }

    /// r = mean over pixels of Σ_c w[c]·(n0 − n1)²: one LPIPS layer term.
    public static func headTerm(_ n0: ReferenceImage, _ n1: ReferenceImage, weights: [Double]) -> Double {
        var total = 0.0
        for p in 0..<n0.pixelCount {
            for c in 0..<n0.channels {
                let d = n0.values[p * n0.channels + c] - n1.values[p * n0.channels + c]
                total += weights[c] * d * d
            }
        }
        return total / Double(n0.pixelCount)
    }

    /// ∂r/∂n0 = 2·w[c]·(n0 − n1) / (H·W).
    public static func headTermBackward(_ n0: ReferenceImage, _ n1: ReferenceImage, weights: [Double]) -> ReferenceImage {
        var dn = n0
        let scale = 2 / Double(n0.pixelCount)
        for i in dn.values.indices {
            dn.values[i] = scale * weights[i % n0.channels] * (n0.values[i] - n1.values[i])
        }
        return dn
    }
}
