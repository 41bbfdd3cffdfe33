import SIMDKernels

/// `Conv2D`'s three passes as plain loops in Double over NHWC tensors with HWIO weights, the oracle for
/// the kernels. Every pass walks the same (output pixel, tap, input pixel) triples, so the three agree
/// by construction on which products exist.
public struct ReferenceConv2D {
    public let shape: Conv2D

    public init(_ shape: Conv2D) { self.shape = shape }

    /// Calls body(outputPixel, tap, inputPixel) for every tap that lands inside the input.
    private func forEachWindow(_ body: (Int, Int, Int) -> Void) {
        let s = shape
        for n in 0..<s.batch {
            for oy in 0..<s.outputHeight {
                for ox in 0..<s.outputWidth {
                    let out = (n * s.outputHeight + oy) * s.outputWidth + ox
                    for a in 0..<s.kernel {
                        let iy = oy * s.stride + a - s.padding
                        guard iy >= 0 && iy < s.height else { continue }
                        for b in 0..<s.kernel {
                            let ix = ox * s.stride + b - s.padding
                            guard ix >= 0 && ix < s.width else { continue }
                            body(out, a * s.kernel + b, (n * s.height + iy) * s.width + ix)
                        }
                    }
                }
            }
        }
    }

    public func forward(input x: [Float], weights w: [Float], bias: [Float]?) -> ReferenceValues {
        let cin = shape.inputChannels, cout = shape.outputChannels
        var r = ReferenceValues(count: shape.outputCount)
        if let bias {
            for p in 0..<(shape.outputCount / cout) {
                for o in 0..<cout { r.add(p * cout + o, Double(bias[o]), 1) }
            }
        }
        forEachWindow { out, tap, inp in
            for i in 0..<cin {
                for o in 0..<cout { r.add(out * cout + o, Double(x[inp * cin + i]), Double(w[(tap * cin + i) * cout + o])) }
            }
        }
        return r
    }

    public func backwardData(outputGradient dy: [Float], weights w: [Float]) -> ReferenceValues {
        let cin = shape.inputChannels, cout = shape.outputChannels
        var r = ReferenceValues(count: shape.inputCount)
        forEachWindow { out, tap, inp in
            for i in 0..<cin {
                for o in 0..<cout { r.add(inp * cin + i, Double(dy[out * cout + o]), Double(w[(tap * cin + i) * cout + o])) }
            }
        }
        return r
    }

    public func backwardWeights(input x: [Float], outputGradient dy: [Float]) -> (weights: ReferenceValues, bias: ReferenceValues) {
        let cin = shape.inputChannels, cout = shape.outputChannels
        var dw = ReferenceValues(count: shape.weightCount), db = ReferenceValues(count: cout)
        forEachWindow { out, tap, inp in
            for i in 0..<cin {
                for o in 0..<cout { dw.add((tap * cin + i) * cout + o, Double(x[inp * cin + i]), Double(dy[out * cout + o])) }
            }
        }
        for p in 0..<(shape.outputCount / cout) {
            for o in 0..<cout { db.add(o, Double(dy[p * cout + o]), 1) }
        }
        return (dw, db)
    }
}
