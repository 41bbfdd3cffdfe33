import Testing
import SIMDKernels
import PivotTestSupport

/// Shapes that cover every path: 3×3/1/1 with channel counts around the tiles (6 rows, 8/16 columns),
/// 1×1, stride 2, AlexNet's 11×11/4/2 and 5×5/1/2, RGB input (kernel-row taps forward, col2im backward),
/// one pixel, batch 2, and more input channels than one K block (256). From index 10, the weight gradient's work splits: by pixels
/// over several strips (tiles crossing taps, a part-filled B panel), the StyleGAN2 conv0 adjoint form
/// (stride 2 from 2n+1 to n), by rows over two strips (8-row tiles), pixels = rows (split by rows) and
/// pixels = rows + 1 (by pixels), and a pixel split whose halves and strips cross images. Index 16's input
/// gradient takes col2im over more than one strip (fewer than 8 input channels); index 17's rows are wider
/// than a weight-gradient strip (bands of columns); 18–20 have strips of one grid row, where the taps of a
/// kernel row share one packed panel: 3×3 (short strips from 300 output channels), stride 2 with padding
/// (two column phases), 5×5 (shifts up to 4).
let convShapes: [Conv2D] = [
    try! Conv2D(batch: 1, height: 5, width: 7, inputChannels: 16, outputChannels: 17, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 4, width: 4, inputChannels: 9, outputChannels: 33, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 1, width: 1, inputChannels: 8, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 13, width: 3, inputChannels: 20, outputChannels: 5, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 3, width: 5, inputChannels: 24, outputChannels: 3, kernel: 1, padding: 0),
    try! Conv2D(batch: 1, height: 8, width: 9, inputChannels: 10, outputChannels: 12, kernel: 3, stride: 2, padding: 1),
    try! Conv2D(batch: 1, height: 23, width: 19, inputChannels: 3, outputChannels: 10, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 1, height: 9, width: 8, inputChannels: 12, outputChannels: 20, kernel: 5, padding: 2),
    try! Conv2D(batch: 2, height: 7, width: 9, inputChannels: 3, outputChannels: 16, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 6, width: 5, inputChannels: 300, outputChannels: 40, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 40, width: 37, inputChannels: 11, outputChannels: 20, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 33, width: 33, inputChannels: 16, outputChannels: 24, kernel: 3, stride: 2, padding: 0),
    try! Conv2D(batch: 1, height: 20, width: 20, inputChannels: 64, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 6, width: 6, inputChannels: 4, outputChannels: 5, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 37, width: 1, inputChannels: 4, outputChannels: 5, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 13, width: 11, inputChannels: 7, outputChannels: 16, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 64, width: 60, inputChannels: 3, outputChannels: 8, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 2, height: 3, width: 300, inputChannels: 5, outputChannels: 40, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 4, width: 70, inputChannels: 13, outputChannels: 300, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 9, width: 301, inputChannels: 8, outputChannels: 24, kernel: 3, stride: 2, padding: 1),
    try! Conv2D(batch: 1, height: 6, width: 140, inputChannels: 6, outputChannels: 10, kernel: 5, padding: 2),
]

/// `shapes` with their algorithm forced instead of chosen automatically.
func forced(_ shapes: [Conv2D], onto algorithm: ConvolutionAlgorithm) -> [Conv2D] {
    shapes.map { shape in
        var forced = shape
        forced.algorithm = algorithm
        return forced
    }
}

/// Every shape the reference tests below run: `convShapes` on the automatic path, then `winogradShapes`
/// forced onto Winograd (most are below its automatic size floor), then `smallMapShapes` forced onto the
/// small-map GEMM and onto the implicit GEMM, then `fewChannelShapes` forced onto the implicit GEMM.
let testedConvolutions: [Conv2D] = convShapes + forced(winogradShapes, onto: .winograd)
    + forced(smallMapShapes, onto: .smallMap) + forced(smallMapShapes, onto: .implicitGemm)
    + forced(fewChannelShapes, onto: .implicitGemm)

/// The first small-map shape forced onto its path, in `testedConvolutions`.
let firstSmallMapIndex = convShapes.count + winogradShapes.count
/// The first RGB-input shape, in `testedConvolutions`.
let firstFewChannelIndex = testedConvolutions.count - fewChannelShapes.count

/// Random operands for one shape, reproducible from its index.
struct ConvOperands {
    let x: [Float], w: [Float], bias: [Float], dy: [Float]

    init(_ s: Conv2D, seed: UInt64) {
        var rng = TestRandom(seed: seed)
        x = rng.floats(s.inputCount)
        w = rng.floats(s.weightCount)
        bias = rng.floats(s.outputChannels)
        dy = rng.floats(s.outputCount)
    }
}

extension Conv2D {
    func forward(_ x: [Float], _ w: [Float], bias: [Float]?) -> [Float] {
        var y = [Float](repeating: .nan, count: outputCount)
        x.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { y in
                    if let bias {
                        bias.withUnsafeBufferPointer {
                            forward(input: x.baseAddress!, weights: w.baseAddress!, bias: $0.baseAddress!, output: y.baseAddress!)
                        }
                    } else {
                        forward(input: x.baseAddress!, weights: w.baseAddress!, bias: nil, output: y.baseAddress!)
                    }
                }
            }
        }
        return y
    }

    func backwardData(_ dy: [Float], _ w: [Float], into start: [Float]? = nil) -> [Float] {
        var dx = start ?? [Float](repeating: .nan, count: inputCount)
        dy.withUnsafeBufferPointer { dy in
            w.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer {
                    backwardData(outputGradient: dy.baseAddress!, weights: w.baseAddress!,
                                 inputGradient: $0.baseAddress!, accumulate: start != nil)
                }
            }
        }
        return dx
    }

    func backwardWeights(_ x: [Float], _ dy: [Float], into start: ([Float], [Float])? = nil) -> ([Float], [Float]) {
        var dw = start?.0 ?? [Float](repeating: .nan, count: weightCount)
        var db = start?.1 ?? [Float](repeating: .nan, count: outputChannels)
        x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                dw.withUnsafeMutableBufferPointer { dw in
                    db.withUnsafeMutableBufferPointer { db in
                        backwardWeights(input: x.baseAddress!, outputGradient: dy.baseAddress!,
                                        weightGradient: dw.baseAddress!, biasGradient: db.baseAddress!,
                                        accumulate: start != nil)
                    }
                }
            }
        }
        return (dw, db)
    }
}

/// The first weight or bias gradient entry outside the reference's float32 rounding bound, or nil. The
/// bound counts one term per output pixel, and `extraTerms` more for the weights.
func backwardWeightsMismatch(_ s: Conv2D, seed: UInt64, extraTerms: Int = 0) -> String? {
    let v = ConvOperands(s, seed: seed)
    let (dw, db) = s.backwardWeights(v.x, v.dy)
    let want = ReferenceConv2D(s).backwardWeights(input: v.x, outputGradient: v.dy)
    let pixels = s.batch * s.outputHeight * s.outputWidth
    let badW = want.weights.firstMismatch(dw, terms: pixels + extraTerms)
    let badB = want.bias.firstMismatch(db, terms: pixels)
    return badW == nil && badB == nil ? nil : "weights \(String(describing: badW)), bias \(String(describing: badB))"
}

func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }

struct Conv2DTests {
    @Test(arguments: testedConvolutions.indices)
    func forwardMatchesReference(_ index: Int) {
        let s = testedConvolutions[index], v = ConvOperands(s, seed: UInt64(index))
        let reference = ReferenceConv2D(s)
        for bias in [nil, v.bias] {
            let bad = reference.forward(input: v.x, weights: v.w, bias: bias)
                .firstMismatch(s.forward(v.x, v.w, bias: bias), terms: s.kernel * s.kernel * s.inputChannels + 1)
            #expect(bad == nil, "\(s) bias \(bias != nil): \(String(describing: bad))")
        }
    }

    @Test(arguments: testedConvolutions.indices)
    func backwardDataMatchesReference(_ index: Int) {
        let s = testedConvolutions[index], v = ConvOperands(s, seed: UInt64(index))
        let bad = ReferenceConv2D(s).backwardData(outputGradient: v.dy, weights: v.w)
            .firstMismatch(s.backwardData(v.dy, v.w), terms: s.kernel * s.kernel * s.outputChannels)
        #expect(bad == nil, "\(s): \(String(describing: bad))")
    }

    @Test(arguments: convShapes.indices)
    func backwardWeightsMatchesReference(_ index: Int) {
        let mismatch = backwardWeightsMismatch(convShapes[index], seed: UInt64(index))
        #expect(mismatch == nil, "\(convShapes[index]): \(mismatch ?? "")")
    }

    /// ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ exactly in real arithmetic; here up to float32 rounding of the sums.
    @Test(arguments: testedConvolutions.indices)
    func backwardDataIsTheAdjoint(_ index: Int) {
        let s = testedConvolutions[index], v = ConvOperands(s, seed: UInt64(index) + 100)
        let lhs = dot(s.forward(v.x, v.w, bias: nil), v.dy), rhs = dot(v.x, s.backwardData(v.dy, v.w))
        let scale = Double(s.multiplyAdds).squareRoot()
        #expect(abs(lhs - rhs) <= 1e-5 * scale, "\(s): \(lhs) vs \(rhs)")
    }

    /// Central differences of L = ⟨conv(x, W) + bias, dy⟩ against the analytic gradients, on a few entries.
    @Test(arguments: [0, 5, 6, 7, firstSmallMapIndex + 2, firstFewChannelIndex + 3, firstFewChannelIndex + 5])
    func gradientsMatchFiniteDifferences(_ index: Int) {
        let s = testedConvolutions[index], v = ConvOperands(s, seed: UInt64(index) + 200)
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double { dot(s.forward(x, w, bias: b), v.dy) }
        let dx = s.backwardData(v.dy, v.w), (dw, db) = s.backwardWeights(v.x, v.dy)
        let eps: Float = 1e-2
        func central(_ f: (Float) -> Double) -> Double { (f(eps) - f(-eps)) / Double(2 * eps) }
        var rng = TestRandom(seed: UInt64(index))
        for _ in 0..<4 {
            let i = Int(rng.next() % UInt64(v.x.count)), j = Int(rng.next() % UInt64(v.w.count))
            let o = Int(rng.next() % UInt64(v.bias.count))
            let fx = central { d in var x = v.x; x[i] += d; return loss(x, v.w, v.bias) }
            let fw = central { d in var w = v.w; w[j] += d; return loss(v.x, w, v.bias) }
            let fb = central { d in var b = v.bias; b[o] += d; return loss(v.x, v.w, b) }
            #expect(abs(fx - Double(dx[i])) <= 2e-3 * max(1, abs(fx)), "\(s) dx[\(i)]: \(fx) vs \(dx[i])")
            #expect(abs(fw - Double(dw[j])) <= 2e-3 * max(1, abs(fw)), "\(s) dw[\(j)]: \(fw) vs \(dw[j])")
            #expect(abs(fb - Double(db[o])) <= 2e-3 * max(1, abs(fb)), "\(s) db[\(o)]: \(fb) vs \(db[o])")
        }
    }

    @Test func impossibleShapesThrow() {
        #expect(throws: KernelShapeError.self) { try Conv2D(batch: 1, height: 2, width: 2, inputChannels: 1, outputChannels: 1, kernel: 5, padding: 1) }
        #expect(throws: KernelShapeError.self) { try Conv2D(batch: 0, height: 2, width: 2, inputChannels: 1, outputChannels: 1, kernel: 1, padding: 0) }
    }

    /// A strided shape, the col2im shape, a Winograd one and a small-map one.
    @Test(arguments: [5, convShapes.count - 1, convShapes.count + 1, firstSmallMapIndex + 1])
    func accumulateAddsToExistingGradients(_ index: Int) {
        let s = testedConvolutions[index], v = ConvOperands(s, seed: 7)
        let dx = s.backwardData(v.dy, v.w), twiceDx = s.backwardData(v.dy, v.w, into: dx)
        let (dw, db) = s.backwardWeights(v.x, v.dy), (twiceDw, twiceDb) = s.backwardWeights(v.x, v.dy, into: (dw, db))
        #expect(compare(twiceDx, dx.map { 2 * $0 }).relativeToMax < 1e-6)
        #expect(compare(twiceDw, dw.map { 2 * $0 }).relativeToMax < 1e-6)
        #expect(compare(twiceDb, db.map { 2 * $0 }).relativeToMax < 1e-6)
    }
}

struct ImplicitGemmThreadTests {
    /// The implicit GEMM cuts its rows (or, when the rows are few, its B panels) into several ranges per
    /// thread, claimed as threads come free; none divides K, so running all ranges on one thread gives the
    /// bits of the threaded run. A 40×37 map (247 row tiles: 16 ranges on 2 threads) and a 2×2 map with 515
    /// channels in and out (one row tile, 33 panels: a split by panels), forward and backward-data passes.
    @Test func oneThreadGivesTheBitsOfAll() {
        var shapes = [convShapes[10],
                      try! Conv2D(batch: 1, height: 2, width: 2, inputChannels: 515, outputChannels: 515, kernel: 3, padding: 1)]
        for i in shapes.indices { shapes[i].algorithm = .implicitGemm }
        expectOneThreadGivesTheBitsOfAll(shapes, seed: 600)
    }
}

/// Runs the forward and backward-data passes of `shapes` on one thread and on all, and expects the same bits.
func expectOneThreadGivesTheBitsOfAll(_ shapes: [Conv2D], seed: UInt64) {
    func passes() -> [[Float]] {
        shapes.enumerated().flatMap { index, s in
            let v = ConvOperands(s, seed: UInt64(index) + seed)
            return [s.forward(v.x, v.w, bias: v.bias), s.backwardData(v.dy, v.w)]
        }
    }
    let serial = Parallel.withThreadCount(1) { passes() }
    for (pass, (one, all)) in zip(serial, passes()).enumerated() {
        let firstDifference = one.indices.first { one[$0] != all[$0] }
        #expect(firstDifference == nil, "pass \(pass): first difference at \(firstDifference ?? -1)")
    }
}
