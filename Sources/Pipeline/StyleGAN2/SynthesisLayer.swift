/// A modulated 3×3 convolution layer of the synthesis network (stylegan2.md §5.3–5.5): conv1 (same size) or
/// conv0 (up = 2). Parameters are kept in PyTorch layout so that state_dict names and gradients map 1:1.
public struct SynthesisLayer: Sendable {
    public let inputs: Int
    public let outputs: Int
    /// Output resolution.
    public let resolution: Int
    public let up: Bool
    /// [outputs][inputs][3][3]
    public var weight: [Float]
    public var bias: [Float]
    /// One value.
    public var noiseStrength: [Float]
    /// [resolution][resolution]
    public var noiseConst: [Float]
    /// [inputs][wDim]
    public var affineWeight: [Float]
    public var affineBias: [Float]

    /// Everything the backward pass needs from the forward pass (the input is the previous layer's output).
    struct Saved {
        var styles: [Float]
        var modulated: ModulatedWeight
        var convolution: FeatureMap   // before the epilogue (its backward recomputes from it)
        var output: FeatureMap
        var noise: [Float]?
        /// Set by the non-fused forward pass: `convolution` is then conv(x·s, W), not yet demodulated (the
        /// epilogue scales it by `modulated.demodulation`), and `modulated` holds no packed weight.
        var frozen: FrozenLayerWeights? = nil
    }

    /// `noise` is the map to add (times noise_strength), nil for none. Without `keep` (rendering: no backward
    /// pass), a conv1 layer on Winograd modulates straight into the transforms and keeps no packed weight: the
    /// same U, so the same image as with `keep` (PTI's locality term compares the two at step 0).
    func forward(_ x: FeatureMap, w: [Float], noise: [Float]?, clamp: Float?, keep: Bool = true) -> Saved {
        let styles = affine(w)
        if !keep && !up && sameSizeConvolution.usesWinograd {
            let (demodulation, transformed) = ModulatedWeight.winogradForward(weight: weight, styles: styles, outputs: outputs)
            let convolution = convolve(x, winogradWeights: transformed)
            return Saved(styles: styles, modulated: ModulatedWeight(demodulation: demodulation, inputs: inputs, layout: weightLayout),
                         convolution: convolution, output: activation(convolution, noise: noise, clamp: clamp), noise: noise)
        }
        let modulated = ModulatedWeight(weight: weight, styles: styles, outputs: outputs, layout: weightLayout)
        let convolution = up ? convolveUp(x, weights: modulated.packed) : convolve(x, weights: modulated.packed)
        let output = activation(convolution, noise: noise, clamp: clamp)
        return Saved(styles: styles, modulated: modulated, convolution: convolution, output: output, noise: noise)
    }

    /// `dy` is dL/d(output). Returns dL/dx, dL/dw, dL/d(noise map) (nil without noise) and, with `parameters`,
    /// the parameter gradients as a layer of this shape (its noise_const zero). Without `parameters`
    /// (projection) it takes the non-fused route, which needs no weight gradient.
    func backward(_ dy: FeatureMap, input x: FeatureMap, _ saved: Saved, w: [Float], clamp: Float?,
                  parameters: Bool) -> (dx: FeatureMap, dw: [Float], dNoise: [Float]?, parameters: SynthesisLayer?) {
        if !parameters {
            let (dx, dw, dNoise) = backwardToInputs(dy, input: x, saved, w: w, clamp: clamp)
            return (dx, dw, dNoise, nil)
        }
        precondition(saved.frozen == nil, "frozen weights serve the projector, which needs no weight gradients")
        let (dConv, dNoise, _, dBias, dStrength) = activationBackward(dy, saved, clamp: clamp)
        let (dx, dModulated) = up ? convolveUpBackward(dConv, input: x, saved.modulated)
                                  : convolveBackward(dConv, input: x, saved.modulated)
        let (dStyles, dWeight) = saved.modulated.backward(dModulated, weight: weight, styles: saved.styles)
        let (dw, dAffine) = affineBackward(dStyles, w: w, parameters: true)
        var gradients = self
        gradients.weight = dWeight; gradients.bias = dBias; gradients.noiseStrength = [dStrength]
        gradients.noiseConst = zeros(noiseConst); gradients.affineWeight = dAffine; gradients.affineBias = dStyles
        return (dx, dw, dNoise, gradients)
    }
}

func zeros(_ a: [Float]) -> [Float] { [Float](repeating: 0, count: a.count) }

func add(_ x: [Float], to y: inout [Float]) {
    precondition(x.count == y.count, "add: \(x.count) floats to \(y.count)")
    x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { y in
        for i in y.indices { y[i] += x[i] }
    } }
}
