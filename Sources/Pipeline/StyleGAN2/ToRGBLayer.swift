/// ToRGB (stylegan2.md §5.4, §3.2): 1×1 modulated conv without demodulation, styles scaled by 1/√C_in,
/// then bias and clamp. Output [r][r][3] NHWC.
public struct ToRGBLayer: Sendable, StyleAffine {
    public let inputs: Int
    public let resolution: Int
    /// [3][inputs]
    public var weight: [Float]
    public var bias: [Float]
    /// [inputs][wDim]
    public var affineWeight: [Float]
    public var affineBias: [Float]

    struct Saved {
        var styles: [Float]      // affine(w)/√C_in
        var output: [Float]      // after clamp, [r][r][3]
    }

    /// weff[o][i] = W[o][i]·s[i]
    private func effectiveWeight(_ styles: [Float]) -> [Float] {
        (0..<(3 * inputs)).map { weight[$0] * styles[$0 % inputs] }
    }

    func forward(_ x: FeatureMap, w: [Float], clamp: Float?) -> Saved {
        let scale = Float(1 / Double(inputs).squareRoot())
        let styles = affine(w).map { $0 * scale }
        let weff = effectiveWeight(styles), r = resolution, limit = clamp ?? .infinity
        var out = [Float](repeating: 0, count: r * r * 3)
        weff.withUnsafeBufferPointer { k in
            x.values.withUnsafeBufferPointer { xv in
                for h in 0..<r { for w in 0..<r {
                    let px = xv.baseAddress! + (h * r + w) * inputs
                    for o in 0..<3 {
                        let v = dot(k.baseAddress! + o * inputs, px, inputs) + bias[o]
                        out[(h * r + w) * 3 + o] = min(max(v, -limit), limit)
                    }
                } }
            }
        }
        return Saved(styles: styles, output: out)
    }

    /// dImg is dL/d(this layer's output), [r][r][3]. Returns dL/dx and dL/dw; parameter
    /// gradients go to `grads` when given.
    func backward(_ dImg: [Float], input x: FeatureMap, _ saved: Saved, w: [Float], clamp: Float?,
                  grads: inout ToRGBLayer?) -> (dx: FeatureMap, dw: [Float]) {
        let r = resolution, n = inputs, limit = clamp ?? .infinity
        let weff = effectiveWeight(saved.styles)
        var dx = FeatureMap(size: r, channels: n)
        var dWeff = [Float](repeating: 0, count: 3 * n), dBias = [Float](repeating: 0, count: 3)
        for h in 0..<r { for w in 0..<r {
            let p = h * r + w, base = p * n
            for o in 0..<3 {
                let g = abs(saved.output[3 * p + o]) >= limit ? 0 : dImg[3 * p + o]
                guard g != 0 else { continue }
                dBias[o] += g
                for i in 0..<n {
                    dx.values[base + i] += g * weff[o * n + i]
                    dWeff[o * n + i] += g * x.values[base + i]
                }
            }
        } }
        let scale = Float(1 / Double(n).squareRoot())
        var ds = [Float](repeating: 0, count: n)
        for o in 0..<3 { for i in 0..<n { ds[i] += dWeff[o * n + i] * weight[o * n + i] * scale } }
        let (dw, dAffine) = affineBackward(ds, w: w, parameters: grads != nil)
        if grads != nil {
            add(dBias, to: &grads!.bias)
            add((0..<(3 * n)).map { dWeff[$0] * saved.styles[$0 % n] }, to: &grads!.weight)
            add(dAffine, to: &grads!.affineWeight)
            add(ds, to: &grads!.affineBias)
        }
        return (dx, dw)
    }

    func zeroed() -> ToRGBLayer {
        var z = self
        z.weight = zeros(weight); z.bias = zeros(bias)
        z.affineWeight = zeros(affineWeight); z.affineBias = zeros(affineBias)
        return z
    }
}
