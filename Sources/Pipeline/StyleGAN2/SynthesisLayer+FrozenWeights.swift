import SIMDKernels

/// A layer's convolution weight prepared once for the projector, whose synthesis weights stay fixed over its
/// steps, in the one form its convolution path reads, and Q[o,i] = Σ_t W[o,i,t]². W is neither modulated nor
/// demodulated. The fused form re-packs and re-transforms the modulated weight at every step.
final class FrozenLayerWeights: @unchecked Sendable {  // unchecked: read-only after init
    enum Form {
        /// W in the convolution's layout (the small-map layers, which read it in place).
        case plain([Float])
        /// Its GEMM packing, forward and backward-data (conv1 layers on the implicit GEMM).
        case implicitGemm(ImplicitGemmWeights)
        /// Its Winograd transforms, forward and backward-data (conv1 layers that take Winograd).
        case winograd(forward: WinogradWeights, backwardData: WinogradWeights)
        /// Its GEMM packing (conv0 layers).
        case upsampling(UpsampleConv2D.PackedWeights)
    }

    let form: Form
    let squares: [Float]

    init(form: Form, squares: [Float]) {
        self.form = form
        self.squares = squares
    }
}

/// The non-fused form (stylegan2.md §5.4, NVlabs' fused_modconv=False) on frozen weights:
///   conv = conv(x·s, W)·d,  d[o] = (Σ_i s_i²·Q[o,i] + 1e-8)^(−½)
/// with d applied by the epilogue (`BiasAct`'s scale), so the per-step weight work is d's matrix-vector
/// product.
extension SynthesisLayer {
    func frozenWeights() -> FrozenLayerWeights {
        let plain = ModulatedWeight.unmodulated(weight, inputs: inputs, outputs: outputs, layout: weightLayout)
        let conv = sameSizeDataConvolution
        let form: FrozenLayerWeights.Form = plain.withUnsafeBufferPointer { w in
            if up { return .upsampling(upsamplingConvolution.packedWeights(w.baseAddress!)) }
            if conv.usesWinograd {
                return .winograd(forward: conv.winogradWeights(w.baseAddress!),
                                 backwardData: conv.winogradBackwardDataWeights(w.baseAddress!))
            }
            if conv.usesImplicitGemm { return .implicitGemm(conv.implicitGemmWeights(w.baseAddress!)) }
            return .plain(plain)
        }
        return FrozenLayerWeights(form: form, squares: weightSquares())
    }

    /// `forward` in the non-fused form; `frozen` must come from this layer's `frozenWeights()`.
    func forward(_ x: FeatureMap, w: [Float], noise: [Float]?, clamp: Float?, frozen: FrozenLayerWeights) -> Saved {
        let styles = affine(w)
        let modulated = ModulatedWeight(demodulation: demodulation(styles, squares: frozen.squares), inputs: inputs,
                                        layout: weightLayout)
        let convolution = convolve(scaledByStyles(x, styles), frozen)
        let output = activation(convolution, noise: noise, clamp: clamp, scale: modulated.demodulation)
        return Saved(styles: styles, modulated: modulated, convolution: convolution, output: output, noise: noise,
                     frozen: frozen)
    }

    /// d[o] from Q.
    private func demodulation(_ styles: [Float], squares: [Float]) -> [Float] {
        let squaredStyles = styles.map { $0 * $0 }
        return squares.withUnsafeBufferPointer { q in squaredStyles.withUnsafeBufferPointer { s in
            filledArray(count: outputs) { d in
                for o in 0..<outputs {
                    var sum: Float = 0
                    for i in 0..<inputs { sum += s[i] * q[o * inputs + i] }
                    d[o] = 1 / (sum + 1e-8).squareRoot()
                }
            }
        } }
    }

    /// x·s per input channel (`BiasAct.linear` with only a scale).
    private func scaledByStyles(_ x: FeatureMap, _ styles: [Float]) -> FeatureMap {
        let shape = NHWCShape(batch: 1, height: x.size, width: x.size, channels: inputs)
        return FeatureMap(size: x.size, channels: inputs) { y in
            x.values.withUnsafeBufferPointer { xp in styles.withUnsafeBufferPointer { s in
                BiasAct.linear().forward(xp.baseAddress!, shape: shape, operands: .init(scale: s.baseAddress), output: y)
            } }
        }
    }

    /// conv0 or conv1 with the frozen weight.
    private func convolve(_ x: FeatureMap, _ frozen: FrozenLayerWeights) -> FeatureMap {
        switch frozen.form {
        case .plain(let weight):
            return convolve(x, weights: weight)
        case .implicitGemm(let packed):
            return FeatureMap(size: resolution, channels: outputs) { y in
                x.values.withUnsafeBufferPointer { xp in
                    sameSizeDataConvolution.forward(input: xp.baseAddress!, implicitGemmWeights: packed, bias: nil, output: y)
                }
            }
        case .winograd(let forward, _):
            return convolve(x, winogradWeights: forward)
        case .upsampling(let packed):
            return FeatureMap(size: resolution, channels: outputs) { y in
                x.values.withUnsafeBufferPointer { xp in
                    upsamplingConvolution.forward(input: xp.baseAddress!, packedWeights: packed, output: y)
                }
            }
        }
    }

    /// dL/dx of `convolve(_:_:)` (dL/d(x·s) of the layer).
    func convolveBackwardData(_ dy: FeatureMap, _ frozen: FrozenLayerWeights) -> FeatureMap {
        switch frozen.form {
        case .plain(let weight):
            return convolveBackwardData(dy, weights: weight)
        case .implicitGemm(let packed):
            return FeatureMap(size: resolution, channels: inputs) { dx in
                dy.values.withUnsafeBufferPointer { gp in
                    sameSizeDataConvolution.backwardData(outputGradient: gp.baseAddress!, implicitGemmWeights: packed,
                                                     inputGradient: dx)
                }
            }
        case .winograd(_, let backwardData):
            return FeatureMap(size: resolution, channels: inputs) { dx in
                dy.values.withUnsafeBufferPointer { gp in
                    sameSizeDataConvolution.backwardData(outputGradient: gp.baseAddress!, winogradWeights: backwardData,
                                                     inputGradient: dx)
                }
            }
        case .upsampling(let packed):
            return FeatureMap(size: resolution / 2, channels: inputs) { dx in
                dy.values.withUnsafeBufferPointer { gp in
                    upsamplingConvolution.backwardData(outputGradient: gp.baseAddress!, packedWeights: packed,
                                                       inputGradient: dx)
                }
            }
        }
    }
}
