/// Scalar Double references for the loss-side kernels: LPIPS channel normalisation and the Adam update.
public enum LossReference {
    /// n = f / (√Σ_c f² + 1e-10) per pixel; `pixels` rows of `channels` values.
    public static func channelNormalize(_ f: [Double], channels c: Int) -> [Double] {
        stride(from: 0, to: f.count, by: c).flatMap { start in
            let pixel = f[start..<start + c]
            let norm = pixel.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return pixel.map { $0 / (norm + 1e-10) }
        }
    }

    /// Autograd of `channelNormalize`, written out: ∂f = ∂n/(N+ε) − f·Σ(∂n·f)/((N+ε)²·N); 0 where N = 0.
    public static func channelNormalizeBackward(_ f: [Double], gradOutput dn: [Double], channels c: Int) -> [Double] {
        stride(from: 0, to: f.count, by: c).flatMap { start -> [Double] in
            let range = start..<start + c
            let norm = f[range].reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return [Double](repeating: 0, count: c) }
            let dot = range.reduce(0.0) { $0 + dn[$1] * f[$1] }
            let d = norm + 1e-10
            return range.map { dn[$0] / d - f[$0] * dot / (d * d * norm) }
        }
    }

    /// `steps` Adam updates (PyTorch formulas, Double) of `parameters` with a fixed list of gradients per step.
    public static func adam(parameters: [Double], gradients: [[Double]], learningRate: Double,
                            beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) -> [Double] {
        var p = parameters
        var m = [Double](repeating: 0, count: p.count), v = m
        var b1t = 1.0, b2t = 1.0
        for g in gradients {
            b1t *= beta1
            b2t *= beta2
            for i in p.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                p[i] -= learningRate / (1 - b1t) * m[i] / (v[i].squareRoot() / (1 - b2t).squareRoot() + epsilon)
            }
        }
        return p
    }
}
