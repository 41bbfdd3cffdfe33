import SIMDKernels

/// ToRGB (stylegan2.md §5.4, §3.2): 1×1 modulated conv without demodulation, styles scaled by 1/√C_in,
/// then bias and clamp (`BiasAct.linear`). Output [r][r][3] NHWC.
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
        var styles: [Float]        // affine(w)/√C_in
        var convolution: [Float]   // before bias and clamp, [r][r][3]
        var output: [Float]
    }

    /// weff[o][i] = W[o][i]·s[i]
    private func effectiveWeight(_ styles: [Float]) -> [Float] {
        (0..<(3 * inputs)).map { weight[$0] * styles[$0 % inputs] }
    }

    private var shape: NHWCShape { NHWCShape(batch: 1, height: resolution, width: resolution, channels: 3) }

    func forward(_ x: FeatureMap, w: [Float], clamp: Float?) -> Saved {
        let scale = Float(1 / Double(inputs).squareRoot())
        let styles = affine(w).map { $0 * scale }
        let weff = effectiveWeight(styles), pixels = resolution * resolution
        var conv = [Float](repeating: 0, count: pixels * 3), out = conv
        x.values.withUnsafeBufferPointer { xp in weff.withUnsafeBufferPointer { k in conv.withUnsafeMutableBufferPointer { y in
            NarrowConv1x1.forward(xp.baseAddress!, pixels: pixels, inputs: inputs, weights: k.baseAddress!, outputs: 3,
                                  output: y.baseAddress!)
        } } }
        conv.withUnsafeBufferPointer { c in bias.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { y in
            BiasAct.linear(clamp: clamp).forward(c.baseAddress!, shape: shape, operands: .init(bias: b.baseAddress),
                                                 output: y.baseAddress!)
        } } }
        return Saved(styles: styles, convolution: conv, output: out)
    }

    /// dImg is dL/d(this layer's output), [r][r][3]. Returns dL/dx, dL/dw and, with `parameters`, the
    /// parameter gradients as a layer of this shape.
    func backward(_ dImg: [Float], input x: FeatureMap, _ saved: Saved, w: [Float], clamp: Float?,
                  parameters: Bool) -> (dx: FeatureMap, dw: [Float], parameters: ToRGBLayer?) {
        let n = inputs, pixels = resolution * resolution
        let weff = effectiveWeight(saved.styles)
        var g = [Float](repeating: 0, count: pixels * 3), dBias = [Float](repeating: 0, count: 3)
        saved.convolution.withUnsafeBufferPointer { c in dImg.withUnsafeBufferPointer { dy in bias.withUnsafeBufferPointer { b in
            g.withUnsafeMutableBufferPointer { gp in dBias.withUnsafeMutableBufferPointer { db in
                BiasAct.linear(clamp: clamp).backward(c.baseAddress!, gradOutput: dy.baseAddress!, shape: shape,
                                                      operands: .init(bias: b.baseAddress),
                                                      gradients: .init(input: gp.baseAddress, bias: db.baseAddress))
            } }
        } } }
        var dWeff = [Float](repeating: 0, count: 3 * n)
        let dx = FeatureMap(size: resolution, channels: n) { dx in
            x.values.withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in
                weff.withUnsafeBufferPointer { k in dWeff.withUnsafeMutableBufferPointer { dk in
                    NarrowConv1x1.backward(xp.baseAddress!, gradOutput: gp.baseAddress!, pixels: pixels, inputs: n,
                                           weights: k.baseAddress!, outputs: 3, inputGradient: dx,
                                           weightGradient: dk.baseAddress!)
                } }
            } }
        }
        let scale = Float(1 / Double(n).squareRoot())
        var ds = [Float](repeating: 0, count: n)
        for o in 0..<3 { for i in 0..<n { ds[i] += dWeff[o * n + i] * weight[o * n + i] * scale } }
        let (dw, dAffine) = affineBackward(ds, w: w, parameters: parameters)
        guard parameters else { return (dx, dw, nil) }
        var gradients = self
        gradients.weight = (0..<(3 * n)).map { dWeff[$0] * saved.styles[$0 % n] }
        gradients.bias = dBias; gradients.affineWeight = dAffine; gradients.affineBias = ds
        return (dx, dw, gradients)
    }
}
