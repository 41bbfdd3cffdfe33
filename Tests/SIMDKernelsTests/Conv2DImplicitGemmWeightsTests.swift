import Testing
import SIMDKernels
import PivotTestSupport

/// Weights packed once (`implicitGemmWeights`) give the bits of the per-call packing and match the
/// reference: every implicit-GEMM shape of `testedConvolutions`, which covers RGB input (col2im and im2col
/// strips), stride 2 and 4, 1×1, 5×5, 11×11, K over one block and the small-map shapes forced onto the
/// implicit GEMM, plus a 1×1 stride-2 layer, whose odd input phases no tap reaches (zero gradient).
struct Conv2DImplicitGemmWeightsTests {
    static let shapes = testedConvolutions.filter(\.usesImplicitGemm)
        + [try! Conv2D(batch: 1, height: 7, width: 6, inputChannels: 16, outputChannels: 9, kernel: 1, stride: 2, padding: 0)]

    @Test func theShapesCoverEveryPath() {
        #expect(Self.shapes.contains { $0.inputChannels < 8 && $0.stride == 1 })
        #expect(Self.shapes.contains { $0.inputChannels < 8 && $0.stride > 1 })
        #expect(Self.shapes.contains { $0.inputChannels >= 8 && $0.stride > 1 })
        #expect(Self.shapes.contains { $0.inputChannels >= 8 && $0.stride == 1 })
    }

    @Test(arguments: shapes.indices)
    func packedOnceGivesTheBitsOfPackedPerCall(_ index: Int) {
        let s = Self.shapes[index], v = ConvOperands(s, seed: UInt64(index) + 900)
        let packed = v.w.withUnsafeBufferPointer { s.implicitGemmWeights($0.baseAddress!) }
        let start = ConvOperands(s, seed: UInt64(index) + 901).x
        let pairs: [(String, [Float], [Float])] = [
            ("forward", s.forward(v.x, packed, bias: v.bias), s.forward(v.x, v.w, bias: v.bias)),
            ("forward without bias", s.forward(v.x, packed, bias: nil), s.forward(v.x, v.w, bias: nil)),
            ("backward data", s.backwardData(v.dy, packed), s.backwardData(v.dy, v.w)),
            ("backward data accumulated", s.backwardData(v.dy, packed, into: start), s.backwardData(v.dy, v.w, into: start)),
        ]
        for (pass, once, perCall) in pairs {
            let firstDifference = once.indices.first { once[$0].bitPattern != perCall[$0].bitPattern }
            #expect(firstDifference == nil, "\(s) \(pass): first difference at \(firstDifference ?? -1)")
        }
    }

    @Test(arguments: shapes.indices)
    func packedOnceMatchesTheReference(_ index: Int) {
        let s = Self.shapes[index], v = ConvOperands(s, seed: UInt64(index) + 950)
        let packed = v.w.withUnsafeBufferPointer { s.implicitGemmWeights($0.baseAddress!) }
        let reference = ReferenceConv2D(s)
        let badForward = reference.forward(input: v.x, weights: v.w, bias: v.bias)
            .firstMismatch(s.forward(v.x, packed, bias: v.bias), terms: s.kernel * s.kernel * s.inputChannels + 1)
        let badBackward = reference.backwardData(outputGradient: v.dy, weights: v.w)
            .firstMismatch(s.backwardData(v.dy, packed), terms: s.kernel * s.kernel * s.outputChannels)
        #expect(badForward == nil, "\(s) forward: \(String(describing: badForward))")
        #expect(badBackward == nil, "\(s) backward data: \(String(describing: badBackward))")
    }
}

extension Conv2D {
    func forward(_ x: [Float], _ packed: ImplicitGemmWeights, bias: [Float]?) -> [Float] {
        var y = [Float](repeating: .nan, count: outputCount)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                if let bias {
                    bias.withUnsafeBufferPointer {
                        forward(input: x.baseAddress!, implicitGemmWeights: packed, bias: $0.baseAddress!, output: y.baseAddress!)
                    }
                } else {
                    forward(input: x.baseAddress!, implicitGemmWeights: packed, bias: nil, output: y.baseAddress!)
                }
            }
        }
        return y
    }

    func backwardData(_ dy: [Float], _ packed: ImplicitGemmWeights, into start: [Float]? = nil) -> [Float] {
        var dx = start ?? [Float](repeating: .nan, count: inputCount)
        dy.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer {
                backwardData(outputGradient: dy.baseAddress!, implicitGemmWeights: packed,
                             inputGradient: $0.baseAddress!, accumulate: start != nil)
            }
        }
        return dx
    }
}
