import SIMDKernels

/// The layer epilogue on the SIMDKernels `BiasAct` (stylegan2.md §3.2, §5.3):
/// v = conv + noise·strength + bias; lrelu(v)·√2; clamp ±c. Its backward recomputes v from the saved
/// convolution output.
extension SynthesisLayer {
    private func withOperands<R>(noise: [Float]?, _ body: (BiasAct.Operands) -> R) -> R {
        bias.withUnsafeBufferPointer { b in
            (noise ?? []).withUnsafeBufferPointer { n in
                body(BiasAct.Operands(bias: b.baseAddress, noise: noise == nil ? nil : n.baseAddress,
                                      noiseStrength: noiseStrength[0]))
            }
        }
    }

    private var shape: NHWCShape { NHWCShape(batch: 1, height: resolution, width: resolution, channels: outputs) }

    func activation(_ conv: FeatureMap, noise: [Float]?, clamp: Float?) -> FeatureMap {
        FeatureMap(size: resolution, channels: outputs) { y in
            withOperands(noise: noise) { operands in
                conv.values.withUnsafeBufferPointer { x in
                    BiasAct.leakyReLU(clamp: clamp).forward(x.baseAddress!, shape: shape, operands: operands, output: y)
                }
            }
        }
    }

    /// dL/d(conv output) and dL/d(noise map) (nil without noise) from dL/d(layer output); the bias and
    /// noise-strength gradients go to `grads`. With `convolutionDots`, also Σ_p dL/dconv·conv per output
    /// channel (the non-fused backward's demodulation term), from the same pass: the conv output enters
    /// the epilogue with a scale of 1, whose gradient is that sum.
    func activationBackward(_ dy: FeatureMap, _ saved: Saved, clamp: Float?, grads: inout SynthesisLayer?,
                            convolutionDots: Bool = false) -> (FeatureMap, [Float]?, dots: [Float]) {
        var dBias = [Float](repeating: 0, count: outputs), dNoise = [Float](repeating: 0, count: resolution * resolution)
        var dStrength: Float = 0
        let ones = [Float](repeating: 1, count: convolutionDots ? outputs : 0)
        var dots = [Float](repeating: 0, count: convolutionDots ? outputs : 0)
        let g = FeatureMap(size: resolution, channels: outputs) { gx in
            withOperands(noise: saved.noise) { operands in withUnsafeMutablePointer(to: &dStrength) { ds in
                saved.convolution.values.withUnsafeBufferPointer { x in dy.values.withUnsafeBufferPointer { gy in
                    dBias.withUnsafeMutableBufferPointer { db in dNoise.withUnsafeMutableBufferPointer { dn in
                        ones.withUnsafeBufferPointer { unit in dots.withUnsafeMutableBufferPointer { dd in
                            var operands = operands
                            if convolutionDots { operands.scale = unit.baseAddress }
                            BiasAct.leakyReLU(clamp: clamp).backward(
                                x.baseAddress!, gradOutput: gy.baseAddress!, shape: shape, operands: operands,
                                gradients: .init(input: gx, scale: dd.baseAddress, bias: db.baseAddress,
                                                 noise: dn.baseAddress, noiseStrength: ds))
                        } }
                    } }
                } }
            } }
        }
        if grads != nil {
            add(dBias, to: &grads!.bias)
            grads!.noiseStrength[0] += dStrength
        }
        return (g, saved.noise == nil ? nil : dNoise, dots)
    }
}
