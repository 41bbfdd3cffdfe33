import Testing
import SIMDKernels
import PivotTestSupport

/// Max pooling against PyTorch's rule (first maximum wins, NaN propagates), including tie-heavy inputs.
struct MaxPoolTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var pool: MaxPool2D
        var shape: NHWCShape
        /// Inputs drawn from {−2, …, 2} so that windows are full of ties.
        var ties = false
        var testDescription: String { "\(pool.window)x\(pool.window)/\(pool.stride) \(shape)\(ties ? " ties" : "")" }
    }

    static let cases: [Case] = [MaxPool2D.vgg16, MaxPool2D.alexNet].flatMap { pool in [
        Case(pool: pool, shape: .init(batch: 1, height: pool.window, width: pool.window, channels: 1)),
        Case(pool: pool, shape: .init(batch: 1, height: 7, width: 5, channels: 3)),
        Case(pool: pool, shape: .init(batch: 2, height: 9, width: 8, channels: 17)),
        Case(pool: pool, shape: .init(batch: 2, height: 9, width: 8, channels: 17), ties: true),
        Case(pool: pool, shape: .init(batch: 1, height: 67, width: 45, channels: 64)),
        // Even maps: VGG's 2×2/2 windows tile them exactly (its no-scatter backward).
        Case(pool: pool, shape: .init(batch: 2, height: 8, width: 10, channels: 17)),
        Case(pool: pool, shape: .init(batch: 2, height: 8, width: 10, channels: 17), ties: true),
    ] }

    @Test(arguments: cases)
    func forwardAndBackwardMatchReference(_ c: Case) throws {
        var random = TestRandom(seed: 11)
        let x = random.floats(c.shape.count).map { c.ties ? ($0 * 2.5).rounded() : $0 }
        let out = try c.pool.outputShape(for: c.shape)
        let y = try runKernel(x, outputCount: out.count) { try c.pool.forward($0, shape: c.shape, output: $1) }
        let reference = PoolingReference.maxPool(x.map(Double.init), shape: c.shape, window: c.pool.window,
                                                 stride: c.pool.stride)
        #expect(reference.shape == out)
        #expect(y.map(Double.init) == reference.values)

        let dy = random.floats(out.count)
        let dx = try maxPoolBackward(c, x, dy)
        let expected = PoolingReference.maxPoolBackward(x.map(Double.init), shape: c.shape, window: c.pool.window,
                                                        stride: c.pool.stride, gradOutput: dy.map(Double.init))
        let result = compare(dx, expected)
        #expect(result.maxAbsError <= 1e-6 * result.maxAbsReference, "\(result)")
        guard !c.ties, x.count <= 10_000 else { return }  // (each probe re-runs the reference)

        // Distinct inputs: the Jacobian is a selection, so central differences of the reference are exact,
        // per coordinate and along a random direction (adjoint identity).
        let loss = { (x: [Double]) in
            innerProduct(PoolingReference.maxPool(x, shape: c.shape, window: c.pool.window, stride: c.pool.stride).values, dy)
        }
        let h = 1e-9, base = x.map(Double.init)
        for i in probeIndices(x.count, samples: 30) {
            var plus = base, minus = base
            plus[i] += h
            minus[i] -= h
            #expect(abs((loss(plus) - loss(minus)) / (2 * h) - Double(dx[i])) <= 1e-5, "coordinate \(i)")
        }
        let direction = (0..<x.count).map { _ in Double(random.uniform()) }
        let jvp = (loss(zip(base, direction).map { $0 + h * $1 }) - loss(zip(base, direction).map { $0 - h * $1 })) / (2 * h)
        #expect(abs(jvp - innerProduct(direction, dx)) <= 1e-5 * (abs(jvp) + 1))
    }

    /// With `accumulate`, the routed gradient is added to what `gradInput` held: exactly (one add per input
    /// pixel) where VGG's 2×2/2 windows tile the map, within the rounding of the few overlapping windows' adds
    /// elsewhere.
    @Test(arguments: cases)
    func accumulateAddsToExistingGradients(_ c: Case) throws {
        var random = TestRandom(seed: 12)
        let x = random.floats(c.shape.count).map { c.ties ? ($0 * 2.5).rounded() : $0 }
        let dy = random.floats(try c.pool.outputShape(for: c.shape).count)
        let start = random.floats(c.shape.count)
        let dx = try maxPoolBackward(c, x, dy)
        var sum = start
        try x.withUnsafeBufferPointer { x in
            try dy.withUnsafeBufferPointer { dy in
                try sum.withUnsafeMutableBufferPointer {
                    try c.pool.backward(input: x.baseAddress!, shape: c.shape, gradOutput: dy.baseAddress!,
                                        gradInput: $0.baseAddress!, accumulate: true)
                }
            }
        }
        let expected = zip(start, dx).map { $0 + $1 }
        let tiles = c.pool.window == c.pool.stride && c.shape.height % 2 == 0 && c.shape.width % 2 == 0
        if tiles {
            #expect(sum == expected)
        } else {
            let result = compare(sum, expected.map(Double.init))
            #expect(result.maxAbsError <= 1e-6 * result.maxAbsReference, "\(result)")
        }
    }

    @Test func tiesGoToTheFirstMaximumAndNaNPropagates() throws {
        let shape = NHWCShape(batch: 1, height: 3, width: 3, channels: 2)
        // Channel 0: all equal (arg-max = window position 0). Channel 1: NaN at position 4 wins.
        var x = [Float](repeating: 1, count: shape.count)
        x[4 * 2 + 1] = .nan
        let pool = MaxPool2D.alexNet
        let y = try runKernel(x, outputCount: 2) { try pool.forward($0, shape: shape, output: $1) }
        #expect(y[0] == 1 && y[1].isNaN)
        let dx = try maxPoolBackward(Case(pool: pool, shape: shape), x, [10, 20])
        #expect(dx[0] == 10 && dx[4 * 2 + 1] == 20)
        #expect(dx.enumerated().allSatisfy { $0.offset == 0 || $0.offset == 9 || $0.element == 0 })
    }

    @Test func rejectsInputSmallerThanWindow() {
        #expect(throws: KernelShapeError.self) {
            try MaxPool2D.alexNet.outputShape(for: NHWCShape(batch: 1, height: 2, width: 5, channels: 4))
        }
    }

    private func maxPoolBackward(_ c: Case, _ x: [Float], _ dy: [Float]) throws -> [Float] {
        try x.withUnsafeBufferPointer { x in
            try runKernel(dy, outputCount: c.shape.count) {
                try c.pool.backward(input: x.baseAddress!, shape: c.shape, gradOutput: $0, gradInput: $1)
            }
        }
    }
}
