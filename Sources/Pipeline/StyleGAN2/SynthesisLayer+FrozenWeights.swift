import SIMDKernels

/// A layer's convolution weight prepared once for the projector, whose synthesis weights stay fixed over its
/// steps: W in the convolution's layout, neither modulated nor demodulated, its Winograd transforms
/// (forward and backward-data) when the layer takes that path, its GEMM packing on conv0 layers, and
/// Q[o,i] = Σ_t W[o,i,t]². The fused form re-packs and re-transforms the modulated weight at every step.
final class FrozenLayerWeights: @unchecked Sendable {  // unchecked: read-only after init
    typealias Winograd = (forward: WinogradWeights, backwardData: WinogradWeights)

    let weight: [Float]
    let winograd: Winograd?
    let upsampling: UpsampleConv2D.PackedWeights?
    let squares: [Float]

    init(weight: [Float], winograd: Winograd?, upsampling: UpsampleConv2D.PackedWeights?, squares: [Float]) {
        self.weight = weight
        self.winograd = winograd
        self.upsampling = upsampling
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
        let conv = sameSizeConvolution
        let winograd: FrozenLayerWeights.Winograd? = up || !conv.usesWinograd ? nil : plain.withUnsafeBufferPointer {
            (forward: conv.winogradWeights($0.baseAddress!), backwardData: conv.winogradBackwardDataWeights($0.baseAddress!))
        }
        let upsampling = up ? plain.withUnsafeBufferPointer { upsamplingConvolution.packedWeights($0.baseAddress!) } : nil
        return FrozenLayerWeights(weight: plain, winograd: winograd, upsampling: upsampling, squares: weightSquares())
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
        if let packed = frozen.upsampling {
            return FeatureMap(size: resolution, channels: outputs) { y in
                x.values.withUnsafeBufferPointer { xp in
                    upsamplingConvolution.forward(input: xp.baseAddress!, packedWeights: packed, output: y)
                }
            }
        }
        guard let winograd = frozen.winograd else { return convolve(x, weights: frozen.weight) }
        return FeatureMap(size: resolution, channels: outputs) { y in
            x.values.withUnsafeBufferPointer { xp in
                sameSizeConvolution.forward(input: xp.baseAddress!, winogradWeights: winograd.forward, bias: nil, output: y)
            }
        }
    }

    /// dL/dx of `convolve(_:_:)` (dL/d(x·s) of the layer).
    func convolveBackwardData(_ dy: FeatureMap, _ frozen: FrozenLayerWeights) -> FeatureMap {
        if let packed = frozen.upsampling {
            return FeatureMap(size: resolution / 2, channels: inputs) { dx in
                dy.values.withUnsafeBufferPointer { gp in
                    upsamplingConvolution.backwardData(outputGradient: gp.baseAddress!, packedWeights: packed, inputGradient: dx)
                }
            }
        }
        guard let winograd = frozen.winograd else { return convolveBackwardData(dy, weights: frozen.weight) }
        return FeatureMap(size: resolution, channels: inputs) { dx in
            dy.values.withUnsafeBufferPointer { gp in
                sameSizeConvolution.backwardData(outputGradient: gp.baseAddress!, winogradWeights: winograd.backwardData,
                                                 inputGradient: dx)
            }
        }
    }
}
