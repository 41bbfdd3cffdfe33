import Testing
import SIMDKernels
import PivotTestSupport

/// (pixels, inputs, outputs): one of each, inputs around the 8-lane vector (1, 7, 9, 17), ToRGB's 3 outputs
/// at StyleGAN2's channel counts, every output count up to 4, and more pixels than one chunk (256) with a
/// ragged last chunk.
private let narrowShapes: [(pixels: Int, inputs: Int, outputs: Int)] = [
    (1, 1, 1), (5, 7, 3), (9, 9, 2), (33, 17, 4), (300, 64, 3), (4, 512, 3), (600, 24, 1), (257, 8, 3),
]

struct NarrowConv1x1Tests {
    struct Operands {
        let x: [Float], w: [Float], dy: [Float]
        init(_ s: (pixels: Int, inputs: Int, outputs: Int), seed: UInt64) {
            var rng = TestRandom(seed: seed)
            x = rng.floats(s.pixels * s.inputs)
            w = rng.floats(s.outputs * s.inputs)
            dy = rng.floats(s.pixels * s.outputs)
        }
    }

    static func forward(_ s: (pixels: Int, inputs: Int, outputs: Int), _ x: [Float], _ w: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: s.pixels * s.outputs)
        x.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in y.withUnsafeMutableBufferPointer { y in
            NarrowConv1x1.forward(x.baseAddress!, pixels: s.pixels, inputs: s.inputs, weights: w.baseAddress!,
                                  outputs: s.outputs, output: y.baseAddress!)
        } } }
        return y
    }

    static func backward(_ s: (pixels: Int, inputs: Int, outputs: Int), _ x: [Float], _ w: [Float], _ dy: [Float])
        -> (dx: [Float], dw: [Float]) {
        var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
        x.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { w in dy.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { dx in dw.withUnsafeMutableBufferPointer { dw in
                NarrowConv1x1.backward(x.baseAddress!, gradOutput: dy.baseAddress!, pixels: s.pixels, inputs: s.inputs,
                                       weights: w.baseAddress!, outputs: s.outputs, inputGradient: dx.baseAddress!,
                                       weightGradient: dw.baseAddress!)
            } }
        } } }
        return (dx, dw)
    }

    @Test(arguments: narrowShapes.indices)
    func forwardMatchesReference(_ index: Int) {
        let s = narrowShapes[index], v = Operands(s, seed: UInt64(index))
        var reference = ReferenceValues(count: s.pixels * s.outputs)
        for p in 0..<s.pixels {
            for o in 0..<s.outputs {
                for i in 0..<s.inputs { reference.add(p * s.outputs + o, Double(v.x[p * s.inputs + i]), Double(v.w[o * s.inputs + i])) }
            }
        }
        let bad = reference.firstMismatch(Self.forward(s, v.x, v.w), terms: s.inputs)
        #expect(bad == nil, "\(s): \(String(describing: bad))")
    }

    @Test(arguments: narrowShapes.indices)
    func backwardMatchesReference(_ index: Int) {
        let s = narrowShapes[index], v = Operands(s, seed: UInt64(index) + 100)
        var dx = ReferenceValues(count: v.x.count), dw = ReferenceValues(count: v.w.count)
        for p in 0..<s.pixels {
            for o in 0..<s.outputs {
                let g = Double(v.dy[p * s.outputs + o])
                for i in 0..<s.inputs {
                    dx.add(p * s.inputs + i, g, Double(v.w[o * s.inputs + i]))
                    dw.add(o * s.inputs + i, g, Double(v.x[p * s.inputs + i]))
                }
            }
        }
        let (gx, gw) = Self.backward(s, v.x, v.w, v.dy)
        let badX = dx.firstMismatch(gx, terms: s.outputs), badW = dw.firstMismatch(gw, terms: s.pixels)
        #expect(badX == nil, "dx \(s): \(String(describing: badX))")
        #expect(badW == nil, "dw \(s): \(String(describing: badW))")
    }

    /// y is bilinear in (x, w): ⟨y(x', w), dy⟩ = ⟨x', dx⟩ and ⟨y(x, w'), dy⟩ = ⟨w', dw⟩.
    @Test(arguments: narrowShapes.indices)
    func backwardIsTheAdjoint(_ index: Int) {
        let s = narrowShapes[index], v = Operands(s, seed: UInt64(index) + 200), (dx, dw) = Self.backward(s, v.x, v.w, v.dy)
        #expect(adjointMismatch(jvp: Self.forward(s, v.x, v.w), dy: v.dy, dx: v.x, vjp: dx) < 1e-5, "dx \(s)")
        #expect(adjointMismatch(jvp: Self.forward(s, v.x, v.w), dy: v.dy, dx: v.w, vjp: dw) < 1e-5, "dw \(s)")
    }

    @Test(arguments: [1, 2, 3])
    func gradientsMatchFiniteDifferences(_ index: Int) {
        let s = narrowShapes[index], v = Operands(s, seed: UInt64(index) + 300), (dx, dw) = Self.backward(s, v.x, v.w, v.dy)
        let inX = finiteDifferenceMismatch(x: v.x, dy: v.dy, gradient: dx, indices: probeIndices(v.x.count), step: 1e-2) {
            Self.forward(s, $0, v.w)
        }
        let inW = finiteDifferenceMismatch(x: v.w, dy: v.dy, gradient: dw, indices: probeIndices(v.w.count), step: 1e-2) {
            Self.forward(s, v.x, $0)
        }
        #expect(inX < 1e-3, "dx \(s): \(inX)")
        #expect(inW < 1e-3, "dw \(s): \(inW)")
    }
}
