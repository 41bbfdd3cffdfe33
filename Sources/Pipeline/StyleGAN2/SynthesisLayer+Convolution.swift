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
        FeatureMap(size: resolution, channels: outputs) { y in
            x.values.withUnsafeBufferPointer { xp in m.packed.withUnsafeBufferPointer { wp in
                sameSizeConvolution.forward(input: xp.baseAddress!, weights: wp.baseAddress!, bias: nil, output: y)
            } }
        }
    }

    /// Returns dL/dx and dL/dw2 (packed layout).
    func convolveBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        let dw = filledArray(count: m.packed.count) { dw in
            dy.values.withUnsafeBufferPointer { gp in x.values.withUnsafeBufferPointer { xp in
                sameSizeConvolution.backwardWeights(input: xp.baseAddress!, outputGradient: gp.baseAddress!,
                                                    weightGradient: dw, biasGradient: nil)
            } }
        }
        return (convolveBackwardData(dy, weights: m.packed), dw)
    }

    /// dL/dx of `convolve` with the given weights (`weightLayout`).
    func convolveBackwardData(_ dy: FeatureMap, weights: [Float]) -> FeatureMap {
        FeatureMap(size: resolution, channels: inputs) { dx in
            dy.values.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
                sameSizeConvolution.backwardData(outputGradient: gp.baseAddress!, weights: wp.baseAddress!,
                                                 inputGradient: dx)
            } }
        }
    }

    /// conv0: transposed conv (n → 2n+1), then the [1,3,3,1] blur (2n+1 → 2n).
    func convolveUp(_ x: FeatureMap, _ m: ModulatedWeight) -> FeatureMap {
        let tSize = resolution + 1
        let t = filledArray(count: tSize * tSize * outputs) { t in
            x.values.withUnsafeBufferPointer { xp in m.packed.withUnsafeBufferPointer { wp in
                strideTwoConvolution.backwardData(outputGradient: xp.baseAddress!, weights: wp.baseAddress!,
                                                  inputGradient: t)
            } }
        }
        return FeatureMap(size: resolution, channels: outputs,
                          values: Upfirdn2D.transposedConvBlur.apply(t, size: tSize, channels: outputs))
    }

    /// Backward of `convolveUp`: blur adjoint (2n → 2n+1), then the stride-2 convolution's forward (dx)
    /// and backward-weights (dw2).
    func convolveUpBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        let dt = blurAdjoint(dy)
        let dw = filledArray(count: m.packed.count) { dw in
            dt.withUnsafeBufferPointer { gp in x.values.withUnsafeBufferPointer { xp in
                strideTwoConvolution.backwardWeights(input: gp.baseAddress!, outputGradient: xp.baseAddress!,
                                                     weightGradient: dw, biasGradient: nil)
            } }
        }
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
        FeatureMap(size: resolution / 2, channels: inputs) { dx in
            dt.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
                strideTwoConvolution.forward(input: gp.baseAddress!, weights: wp.baseAddress!, bias: nil, output: dx)
            } }
        }
    }
}
