import SIMDKernels

/// The convolutions of a SynthesisLayer on the SIMDKernels Conv2D (NHWC, HWIO weights), forward next to
/// backward (stylegan2.md §3.5, §6 items 3–4).
///
/// conv0's transposed convolution (stride 2, no padding, unflipped weight, n → 2n+1) is exactly the
/// backward-data pass of a stride-2 3×3 convolution from (2n+1)² down to n², whose input channels are
/// this layer's outputs: t[2p+a, 2q+b, o] += x[p, q, i]·w2[a, b, o, i]. Its backward then needs that
/// convolution's forward (dx) and backward-weights (dw2) passes.
extension SynthesisLayer {
    /// conv1: 3×3, padding 1, weights [tap][inputs][outputs].
    private var sameSizeConvolution: Conv2D {
        try! Conv2D(batch: 1, height: resolution, width: resolution, inputChannels: inputs,
                    outputChannels: outputs, kernel: 3, padding: 1)
    }

    /// conv0 seen from its adjoint: (2n+1)² × outputs → n² × inputs, stride 2, weights [tap][outputs][inputs].
    private var strideTwoConvolution: Conv2D {
        try! Conv2D(batch: 1, height: resolution + 1, width: resolution + 1, inputChannels: outputs,
                    outputChannels: inputs, kernel: 3, stride: 2, padding: 0)
    }

    /// The layout `ModulatedWeight` packs for this layer's convolution.
    var weightLayout: ModulatedWeight.Layout { up ? .tapOutputInput : .tapInputOutput }

    func convolve(_ x: FeatureMap, _ m: ModulatedWeight) -> FeatureMap {
        var y = FeatureMap(size: resolution, channels: outputs)
        x.values.withUnsafeBufferPointer { xp in m.packed.withUnsafeBufferPointer { wp in
            y.values.withUnsafeMutableBufferPointer { yp in
                sameSizeConvolution.forward(input: xp.baseAddress!, weights: wp.baseAddress!, bias: nil,
                                            output: yp.baseAddress!)
            }
        } }
        return y
    }

    /// Returns dL/dx and dL/dw2 (packed layout).
    func convolveBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        var dw = [Float](repeating: 0, count: m.packed.count)
        dy.values.withUnsafeBufferPointer { gp in x.values.withUnsafeBufferPointer { xp in
            dw.withUnsafeMutableBufferPointer { dwp in
                sameSizeConvolution.backwardWeights(input: xp.baseAddress!, outputGradient: gp.baseAddress!,
                                                    weightGradient: dwp.baseAddress!, biasGradient: nil)
            }
        } }
        return (convolveBackwardData(dy, weights: m.packed), dw)
    }

    /// dL/dx of `convolve` with the given weights (`weightLayout`).
    func convolveBackwardData(_ dy: FeatureMap, weights: [Float]) -> FeatureMap {
        var dx = FeatureMap(size: resolution, channels: inputs)
        dy.values.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
            dx.values.withUnsafeMutableBufferPointer { dxp in
                sameSizeConvolution.backwardData(outputGradient: gp.baseAddress!, weights: wp.baseAddress!,
                                                 inputGradient: dxp.baseAddress!)
            }
        } }
        return dx
    }

    /// conv0: transposed conv (n → 2n+1), then the [1,3,3,1] blur (2n+1 → 2n).
    func convolveUp(_ x: FeatureMap, _ m: ModulatedWeight) -> FeatureMap {
        let tSize = resolution + 1
        var t = [Float](repeating: 0, count: tSize * tSize * outputs)
        x.values.withUnsafeBufferPointer { xp in m.packed.withUnsafeBufferPointer { wp in
            t.withUnsafeMutableBufferPointer { tp in
                strideTwoConvolution.backwardData(outputGradient: xp.baseAddress!, weights: wp.baseAddress!,
                                                  inputGradient: tp.baseAddress!)
            }
        } }
        return FeatureMap(size: resolution, channels: outputs,
                          values: Upfirdn2D.transposedConvBlur.apply(t, size: tSize, channels: outputs))
    }

    /// Backward of `convolveUp`: blur adjoint (2n → 2n+1), then the stride-2 convolution's forward (dx)
    /// and backward-weights (dw2).
    func convolveUpBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        let dt = blurAdjoint(dy)
        var dw = [Float](repeating: 0, count: m.packed.count)
        dt.withUnsafeBufferPointer { gp in x.values.withUnsafeBufferPointer { xp in
            dw.withUnsafeMutableBufferPointer { dwp in
                strideTwoConvolution.backwardWeights(input: gp.baseAddress!, outputGradient: xp.baseAddress!,
                                                     weightGradient: dwp.baseAddress!, biasGradient: nil)
            }
        } }
        return (convolveUpBackwardData(blurred: dt, weights: m.packed), dw)
    }

    /// dL/dx of `convolveUp` with the given weights (`weightLayout`).
    func convolveUpBackwardData(_ dy: FeatureMap, weights: [Float]) -> FeatureMap {
        convolveUpBackwardData(blurred: blurAdjoint(dy), weights: weights)
    }

    /// The blur's adjoint, 2n → 2n+1: dL/dt of the transposed convolution's output.
    private func blurAdjoint(_ dy: FeatureMap) -> [Float] {
        Upfirdn2D.transposedConvBlur.adjoint(dy.values, inputSize: resolution + 1, channels: outputs)
    }

    /// dL/dx from dL/dt: the stride-2 convolution's forward.
    private func convolveUpBackwardData(blurred dt: [Float], weights: [Float]) -> FeatureMap {
        var dx = FeatureMap(size: resolution / 2, channels: inputs)
        dt.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
            dx.values.withUnsafeMutableBufferPointer { dxp in
                strideTwoConvolution.forward(input: gp.baseAddress!, weights: wp.baseAddress!, bias: nil,
                                             output: dxp.baseAddress!)
            }
        } }
        return dx
    }
}
