import SIMDKernels

/// The layer epilogue on the SIMDKernels `BiasAct` (stylegan2.md §3.2, §5.3):
/// v = conv·scale + noise·strength + bias; lrelu(v)·√2; clamp ±c, where scale is the demodulation in the
/// non-fused form and absent otherwise. Its backward recomputes v from the saved convolution output.
extension SynthesisLayer {
    private func withOperands<R>(noise: [Float]?, scale: [Float]?, _ body: (BiasAct.Operands) -> R) -> R {
        bias.withUnsafeBufferPointer { b in
            (noise ?? []).withUnsafeBufferPointer { n in (scale ?? []).withUnsafeBufferPointer { s in
                body(BiasAct.Operands(scale: scale == nil ? nil : s.baseAddress, bias: b.baseAddress,
                                      noise: noise == nil ? nil : n.baseAddress, noiseStrength: noiseStrength[0]))
            } }
        }
    }

    private var shape: NHWCShape { NHWCShape(batch: 1, height: resolution, width: resolution, channels: outputs) }

    func activation(_ conv: FeatureMap, noise: [Float]?, clamp: Float?, scale: [Float]? = nil) -> FeatureMap {
        FeatureMap(size: resolution, channels: outputs) { y in
            withOperands(noise: noise, scale: scale) { operands in
                conv.values.withUnsafeBufferPointer { x in
                    BiasAct.leakyReLU(clamp: clamp).forward(x.baseAddress!, shape: shape, operands: operands, output: y)
                }
            }
        }
    }

    /// dL/d(conv output), dL/d(noise map) (nil without noise) and the bias and noise-strength gradients from
    /// dL/d(layer output). With `convolutionDots`, also Σ_p dL/dv·conv per output
    /// channel (the non-fused backward's demodulation term; v is the epilogue's pre-activation), from the
    /// same pass: the saved conv output enters the epilogue with a scale (1, or the demodulation after a
    /// non-fused forward pass), whose gradient is that sum. The first result is dL/d(saved conv output).
    func activationBackward(_ dy: FeatureMap, _ saved: Saved, clamp: Float?, convolutionDots: Bool = false)
        -> (FeatureMap, [Float]?, dots: [Float], dBias: [Float], dStrength: Float) {
        var dBias = [Float](repeating: 0, count: outputs), dNoise = [Float](repeating: 0, count: resolution * resolution)
        var dStrength: Float = 0
        let scale = saved.frozen != nil ? saved.modulated.demodulation
                                        : convolutionDots ? [Float](repeating: 1, count: outputs) : nil
        var dots = [Float](repeating: 0, count: convolutionDots ? outputs : 0)
        let g = FeatureMap(size: resolution, channels: outputs) { gx in
            withOperands(noise: saved.noise, scale: scale) { operands in withUnsafeMutablePointer(to: &dStrength) { ds in
                saved.convolution.values.withUnsafeBufferPointer { x in dy.values.withUnsafeBufferPointer { gy in
                    dBias.withUnsafeMutableBufferPointer { db in dNoise.withUnsafeMutableBufferPointer { dn in
                        dots.withUnsafeMutableBufferPointer { dd in
                            BiasAct.leakyReLU(clamp: clamp).backward(
                                x.baseAddress!, gradOutput: gy.baseAddress!, shape: shape, operands: operands,
                                gradients: .init(input: gx, scale: convolutionDots ? dd.baseAddress : nil, bias: db.baseAddress,
                                                 noise: dn.baseAddress, noiseStrength: ds))
                        }
                    } }
                } }
            } }
        }
        return (g, saved.noise == nil ? nil : dNoise, dots, dBias, dStrength)
    }
}
