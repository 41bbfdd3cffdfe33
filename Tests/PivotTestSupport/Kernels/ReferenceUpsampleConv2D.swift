import SIMDKernels

/// `UpsampleConv2D` as plain loops in Double, straight from stylegan2.md §3.5 with zero insertion:
/// t[n, 2p+a, 2q+b, o] += x[n, p, q, i]·W[a][b][o][i], then y[m] = Σ_j h[j]·t[m − 1 + j] per axis with
/// h = [1,3,3,1]/4 and t zero outside [0, 2H]. Backward passes use the same index maps.
public struct ReferenceUpsampleConv2D {
    public let shape: UpsampleConv2D
    static let blurTaps: [Double] = [0.25, 0.75, 0.75, 0.25]

    public init(_ shape: UpsampleConv2D) { self.shape = shape }

    var tHeight: Int { 2 * shape.height + 1 }
    var tWidth: Int { 2 * shape.width + 1 }

    /// Calls body(inputPixel, tap, tPixel) for every input pixel and tap of the transposed conv.
    private func forEachScatter(_ body: (Int, Int, Int) -> Void) {
        let s = shape
        for n in 0..<s.batch {
            for p in 0..<s.height {
                for q in 0..<s.width {
                    for a in 0..<3 {
                        for b in 0..<3 {
                            body((n * s.height + p) * s.width + q, a * 3 + b,
                                 (n * tHeight + 2 * p + a) * tWidth + 2 * q + b)
                        }
                    }
                }
            }
        }
    }

    /// Calls body(outputPixel, tPixel, weight) for every blur tap that lands inside t.
    private func forEachBlurTap(_ body: (Int, Int, Double) -> Void) {
        let s = shape
        for n in 0..<s.batch {
            for u in 0..<s.outputHeight {
                for v in 0..<s.outputWidth {
                    for j in 0..<4 where u - 1 + j >= 0 && u - 1 + j < tHeight {
                        for k in 0..<4 where v - 1 + k >= 0 && v - 1 + k < tWidth {
                            body((n * s.outputHeight + u) * s.outputWidth + v,
                                 (n * tHeight + u - 1 + j) * tWidth + v - 1 + k, Self.blurTaps[j] * Self.blurTaps[k])
                        }
                    }
                }
            }
        }
    }

    public func forward(input x: [Float], weights w: [Float]) -> ReferenceValues {
        let cin = shape.inputChannels, cout = shape.outputChannels
        var t = ReferenceValues(count: shape.batch * tHeight * tWidth * cout)
        forEachScatter { inp, tap, tp in
            for i in 0..<cin {
                for o in 0..<cout { t.add(tp * cout + o, Double(x[inp * cin + i]), Double(w[(tap * cout + o) * cin + i])) }
            }
        }
        var y = ReferenceValues(count: shape.outputCount)
        forEachBlurTap { out, tp, h in
            for o in 0..<cout {
                y.values[out * cout + o] += h * t.values[tp * cout + o]
                y.magnitudes[out * cout + o] += h * t.magnitudes[tp * cout + o]
            }
        }
        return y
    }

    /// ∂L/∂t (the blur's adjoint) with its magnitudes.
    private func transposedGradient(_ dy: [Float]) -> ReferenceValues {
        let cout = shape.outputChannels
        var gt = ReferenceValues(count: shape.batch * tHeight * tWidth * cout)
        forEachBlurTap { out, tp, h in
            for o in 0..<cout { gt.add(tp * cout + o, h, Double(dy[out * cout + o])) }
        }
        return gt
    }

    public func backwardData(outputGradient dy: [Float], weights w: [Float]) -> ReferenceValues {
        let cin = shape.inputChannels, cout = shape.outputChannels
        let gt = transposedGradient(dy)
        var dx = ReferenceValues(count: shape.inputCount)
        forEachScatter { inp, tap, tp in
            for i in 0..<cin {
                for o in 0..<cout {
                    let weight = Double(w[(tap * cout + o) * cin + i])
                    dx.values[inp * cin + i] += gt.values[tp * cout + o] * weight
                    dx.magnitudes[inp * cin + i] += gt.magnitudes[tp * cout + o] * abs(weight)
                }
            }
        }
        return dx
    }

    public func backwardWeights(input x: [Float], outputGradient dy: [Float]) -> ReferenceValues {
        let cin = shape.inputChannels, cout = shape.outputChannels
        let gt = transposedGradient(dy)
        var dw = ReferenceValues(count: shape.weightCount)
        forEachScatter { inp, tap, tp in
            for i in 0..<cin {
                for o in 0..<cout {
                    let value = Double(x[inp * cin + i])
                    dw.values[(tap * cout + o) * cin + i] += value * gt.values[tp * cout + o]
                    dw.magnitudes[(tap * cout + o) * cin + i] += abs(value) * gt.magnitudes[tp * cout + o]
                }
            }
        }
        return dw
    }
}
