import SIMDKernels

/// The convolutions of a SynthesisLayer on the SIMDKernels Conv2D (NHWC, HWIO weights), forward next to
/// backward (stylegan2.md §3.5, §6 items 3–4).
///
/// conv0 (transposed conv, stride 2, then the blur) is `UpsampleConv2D`, whose weights are the HWIO
/// weights of the stride-2 convolution the transposed conv is the adjoint of: [tap][outputs][inputs].
extension SynthesisLayer {
    /// conv1: 3×3, padding 1, weights [tap][inputs][outputs], for the passes on per-call weights.
    var sameSizeConvolution: Conv2D {
        try! Conv2D(batch: 1, height: resolution, width: resolution, inputChannels: inputs,
                    outputChannels: outputs, kernel: 3, padding: 1)
    }

    /// conv1 for the projector's passes, whose Winograd transforms are prepared once (frozen weights): on
    /// Winograd from 16² up where the channels allow (`.automatic` starts at 32²); paper256's 16²×512 layer does
    /// 4× fewer multiplies. The passes on per-call weights keep `.automatic`: the tuning step measured slower
    /// with the 16² layer on Winograd, and rendering must give the tuning forward's image bit for bit.
    var sameSizeDataConvolution: Conv2D {
        var conv = sameSizeConvolution
        if resolution >= 16 { conv.algorithm = .winograd }
        return conv
    }

    /// conv0: n² × inputs → (2n)² × outputs, weights [tap][outputs][inputs].
    var upsamplingConvolution: UpsampleConv2D {
        try! UpsampleConv2D(batch: 1, height: resolution / 2, width: resolution / 2, inputChannels: inputs,
                            outputChannels: outputs)
    }

    /// The layout `ModulatedWeight` packs for this layer's convolution.
    var weightLayout: ModulatedWeight.Layout { up ? .tapOutputInput : .tapInputOutput }

    /// conv1 with the given weights (`weightLayout`).
    func convolve(_ x: FeatureMap, weights: [Float]) -> FeatureMap {
        FeatureMap(size: resolution, channels: outputs) { y in
            x.values.withUnsafeBufferPointer { xp in weights.withUnsafeBufferPointer { wp in
                sameSizeConvolution.forward(input: xp.baseAddress!, weights: wp.baseAddress!, bias: nil, output: y)
            } }
        }
    }

    /// conv1 with weights transformed for Winograd (`sameSizeDataConvolution` must take it).
    func convolve(_ x: FeatureMap, winogradWeights: WinogradWeights) -> FeatureMap {
        FeatureMap(size: resolution, channels: outputs) { y in
            x.values.withUnsafeBufferPointer { xp in
                sameSizeDataConvolution.forward(input: xp.baseAddress!, winogradWeights: winogradWeights, bias: nil, output: y)
            }
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

    /// conv0: transposed conv (n → 2n+1), then the [1,3,3,1] blur (2n+1 → 2n), with the given weights
    /// (`weightLayout`).
    func convolveUp(_ x: FeatureMap, weights: [Float]) -> FeatureMap {
        FeatureMap(size: resolution, channels: outputs) { y in
            x.values.withUnsafeBufferPointer { xp in weights.withUnsafeBufferPointer { wp in
                upsamplingConvolution.forward(input: xp.baseAddress!, weights: wp.baseAddress!, output: y)
            } }
        }
    }

    /// Backward of `convolveUp`: dL/dx and dL/dw2 (packed layout), sharing the blur's adjoint.
    func convolveUpBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        var dw: [Float] = []
        let dx = FeatureMap(size: resolution / 2, channels: inputs) { dx in
            dw = filledArray(count: m.packed.count) { dw in
                dy.values.withUnsafeBufferPointer { gp in x.values.withUnsafeBufferPointer { xp in
                    m.packed.withUnsafeBufferPointer { wp in
                        upsamplingConvolution.backward(input: xp.baseAddress!, outputGradient: gp.baseAddress!,
                                                       weights: wp.baseAddress!, inputGradient: dx, weightGradient: dw)
                    }
                } }
            }
        }
        return (dx, dw)
    }

    /// dL/dx of `convolveUp` with the given weights (`weightLayout`).
    func convolveUpBackwardData(_ dy: FeatureMap, weights: [Float]) -> FeatureMap {
        FeatureMap(size: resolution / 2, channels: inputs) { dx in
            dy.values.withUnsafeBufferPointer { gp in weights.withUnsafeBufferPointer { wp in
                upsamplingConvolution.backwardData(outputGradient: gp.baseAddress!, weights: wp.baseAddress!,
                                                   inputGradient: dx)
            } }
        }
    }
}
