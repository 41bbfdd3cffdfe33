import SIMDKernels

/// The projector's backward pass through a SynthesisLayer: gradients to the input, the styles and the noise
/// only, in the non-fused form (stylegan2.md §6 item 6), so no weight-gradient convolution is run.
///
/// The forward pass computed conv = c·d with c = conv(x·s, W) and d[o] = (Σ_i s_i²·Q[o,i] + 1e-8)^(−½),
/// Q[o,i] = Σ_t W[o,i,t]². With g = dL/dconv:
///
///     gxs  = conv_input_grad(g, W·d)                      (dL/d(x·s))
///     dx_i = gxs_i · s_i
///     ds_i = Σ_p gxs_i·x_i  −  s_i · Σ_o d_o² · (Σ_p g_o·conv_o) · Q[o,i]
///
/// (the second term is the demodulation's: ∂d_o/∂s_i = −d_o³·s_i·Q[o,i], and Σ_p g_o·c_o = Σ_p g_o·conv_o / d_o).
///
/// After the non-fused forward pass the saved output is c itself, so the epilogue's backward gives g·d and
/// Σ_p g·c directly: gxs = conv_input_grad(g·d, W) on the frozen W, and the demodulation term's
/// Σ_p g_o·conv_o = d_o·Σ_p g_o·c_o.
extension SynthesisLayer {
    func backwardToInputs(_ dy: FeatureMap, input x: FeatureMap, _ saved: Saved, w: [Float],
                          clamp: Float?) -> (dx: FeatureMap, dw: [Float], dNoise: [Float]?) {
        let (dConv, dNoise, convolutionDots, _, _) = activationBackward(dy, saved, clamp: clamp, convolutionDots: true)
        let d = saved.modulated.demodulation
        var dx: FeatureMap
        let coefficients: [Float], squares: [Float]
        if let frozen = saved.frozen {
            dx = convolveBackwardData(dConv, frozen)
            coefficients = (0..<outputs).map { o in d[o] * d[o] * d[o] * convolutionDots[o] }
            squares = frozen.squares
        } else {
            let shared = saved.modulated.pack(weight, inputScale: nil)
            dx = up ? convolveUpBackwardData(dConv, weights: shared) : convolveBackwardData(dConv, weights: shared)
            coefficients = (0..<outputs).map { o in d[o] * d[o] * convolutionDots[o] }
            squares = weightSquares()
        }
        let inputDots = scaleByStylesBackward(&dx, input: x, styles: saved.styles)
        var dStyles = inputDots
        let demodulationTerm = products(coefficients, squares)
        for i in 0..<inputs { dStyles[i] -= saved.styles[i] * demodulationTerm[i] }
        return (dx, affineBackward(dStyles, w: w, parameters: false).dw, dNoise)
    }

    /// In place: gxs → gxs·s per input channel; returns Σ_p gxs·x per input channel (the backward of
    /// scaling x by the styles, `BiasAct.linear` with only a scale).
    private func scaleByStylesBackward(_ g: inout FeatureMap, input x: FeatureMap, styles: [Float]) -> [Float] {
        var dots = [Float](repeating: 0, count: inputs)
        let shape = NHWCShape(batch: 1, height: x.size, width: x.size, channels: inputs)
        x.values.withUnsafeBufferPointer { xp in styles.withUnsafeBufferPointer { s in
            g.values.withUnsafeMutableBufferPointer { gp in dots.withUnsafeMutableBufferPointer { dp in
                BiasAct.linear().backward(xp.baseAddress!, gradOutput: gp.baseAddress!, shape: shape,
                                          operands: .init(scale: s.baseAddress),
                                          gradients: .init(input: gp.baseAddress, scale: dp.baseAddress))
            } }
        } }
        return dots
    }

    /// Q[o,i] = Σ_t W[o,i,t]², [outputs][inputs].
    func weightSquares() -> [Float] {
        let taps = ModulatedWeight.taps
        return weight.withUnsafeBufferPointer { w in
            filledArray(count: outputs * inputs) { q in
                for j in 0..<(outputs * inputs) {
                    var sum: Float = 0
                    for t in 0..<taps { sum += w[j * taps + t] * w[j * taps + t] }
                    q[j] = sum
                }
            }
        }
    }

    /// Σ_o c[o]·Q[o,i] for every input i.
    private func products(_ c: [Float], _ squares: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: inputs)
        squares.withUnsafeBufferPointer { q in result.withUnsafeMutableBufferPointer { r in
            for o in 0..<outputs {
                for i in 0..<inputs { r[i] += c[o] * q[o * inputs + i] }
            }
        } }
        return result
    }
}
