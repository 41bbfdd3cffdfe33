import Testing
import SIMDKernels
import PivotTestSupport

/// Reductions, LPIPS normalisation, MSE and Adam against scalar Double references.
struct ReductionTests {
    /// |Δ| within 1e-6 of Σ|terms| (Float partial sums over chunks of 4096, Double across them).
    private func expectClose(_ actual: Double, _ expected: Double, magnitude: Double, _ what: String) {
        #expect(abs(actual - expected) <= 1e-6 * magnitude + 1e-30, "\(what): \(actual) vs \(expected)")
    }

    @Test(arguments: [0, 1, 7, 8, 33, 4097, 100_003])
    func scalarReductionsMatchReference(count: Int) {
        var random = TestRandom(seed: UInt64(count))
        let a = random.floats(count), b = random.floats(count)
        let ad = a.map(Double.init), bd = b.map(Double.init)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            let x = ap.baseAddress!, y = bp.baseAddress!
            expectClose(Reduce.sum(x, count: count), ad.reduce(0, +), magnitude: ad.reduce(0) { $0 + abs($1) }, "sum")
            let squares = ad.reduce(0) { $0 + $1 * $1 }
            expectClose(Reduce.sumOfSquares(x, count: count), squares, magnitude: squares, "sum of squares")
            expectClose(Reduce.dot(x, y, count: count), innerProduct(ad, bd),
                        magnitude: zip(ad, bd).reduce(0) { $0 + abs($1.0 * $1.1) }, "dot")
            let distance = zip(ad, bd).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            expectClose(Reduce.sumOfSquaredDifferences(x, y, count: count), distance, magnitude: distance, "Σ(a−b)²")
            if count > 0 {
                expectClose(MeanSquaredError.value(x, y, count: count), distance / Double(count),
                            magnitude: distance / Double(count), "mse")
            }
        } }
    }

    @Test(arguments: [NHWCShape(batch: 1, height: 1, width: 1, channels: 1),
                      NHWCShape(batch: 2, height: 3, width: 5, channels: 17),
                      NHWCShape(batch: 2, height: 31, width: 20, channels: 9)])
    func channelSumsMatchReference(_ shape: NHWCShape) {
        var random = TestRandom(seed: 21)
        let x = random.floats(shape.count)
        for squared in [false, true] {
            let sums = runKernel(x, outputCount: shape.batch * shape.channels) {
                Reduce.channelSums($0, shape: shape, squared: squared, output: $1)
            }
            var expected = [Double](repeating: 0, count: shape.batch * shape.channels), magnitude = expected
            for n in 0..<shape.batch { for p in 0..<shape.pixels { for c in 0..<shape.channels {
                let v = Double(x[(n * shape.pixels + p) * shape.channels + c])
                expected[n * shape.channels + c] += squared ? v * v : v
                magnitude[n * shape.channels + c] += squared ? v * v : abs(v)
            } } }
            // Float partial sums over 256-pixel chunks: allow 1e-6 of Σ|terms| per output.
            for i in expected.indices {
                #expect(abs(Double(sums[i]) - expected[i]) <= 1e-6 * magnitude[i], "squared \(squared), output \(i)")
            }
        }
    }

    @Test(arguments: [NHWCShape(batch: 1, height: 1, width: 1, channels: 1),
                      NHWCShape(batch: 2, height: 3, width: 3, channels: 3),
                      NHWCShape(batch: 1, height: 4, width: 5, channels: 64),
                      NHWCShape(batch: 1, height: 7, width: 9, channels: 21)])
    func channelNormalizeMatchesReferenceAndFiniteDifferences(_ shape: NHWCShape) {
        var random = TestRandom(seed: 22)
        var f = random.floats(shape.count)
        for c in 0..<shape.channels { f[c] = 0 }  // pixel 0 is all zero: forward 0, gradient 0 (not NaN)
        let c = shape.channels
        let n = runKernel(f, outputCount: f.count) { ChannelNormalize.forward($0, shape: shape, output: $1) }
        let fd = f.map(Double.init)
        let forward = compare(n, LossReference.channelNormalize(fd, channels: c))
        #expect(forward.relativeToMax <= 1e-6, "forward \(forward)")

        let dn = random.floats(f.count)
        let df = f.withUnsafeBufferPointer { fp in
            runKernel(dn, outputCount: f.count) {
                ChannelNormalize.backward(fp.baseAddress!, gradOutput: $0, shape: shape, gradInput: $1)
            }
        }
        #expect((0..<c).allSatisfy { df[$0] == 0 })
        let backward = compare(df, LossReference.channelNormalizeBackward(fd, gradOutput: dn.map(Double.init), channels: c))
        #expect(backward.relativeToMax <= 1e-5, "backward \(backward)")

        // Central differences of the reference (away from the zero pixel, where it is not differentiable).
        let loss = { (x: [Double]) in innerProduct(LossReference.channelNormalize(x, channels: c), dn) }
        let h = 1e-7, scale = df.map { abs(Double($0)) }.max() ?? 1
        for i in probeIndices(f.count, samples: 30) where i >= c {
            var plus = fd, minus = fd
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * h)
            #expect(abs(numeric - Double(df[i])) <= 1e-5 * scale, "coordinate \(i): \(numeric) vs \(df[i])")
        }
        var direction = (0..<f.count).map { _ in Double(random.uniform()) }
        for i in 0..<c { direction[i] = 0 }
        let jvp = (loss(zip(fd, direction).map { $0 + h * $1 }) - loss(zip(fd, direction).map { $0 - h * $1 })) / (2 * h)
        let vjp = innerProduct(direction, df)
        #expect(abs(jvp - vjp) <= 1e-5 * (abs(jvp) + abs(vjp)), "⟨J·d, dn⟩ \(jvp) vs ⟨d, Jᵀ·dn⟩ \(vjp)")
    }

    @Test(arguments: [1, 13, 20_000])
    func meanSquaredErrorGradientMatchesFiniteDifferences(count: Int) {
        var random = TestRandom(seed: 23)
        let a = random.floats(count), b = random.floats(count)
        let weight: Float = 0.7
        let gradient = b.withUnsafeBufferPointer { bp in
            runKernel(a, outputCount: count) {
                MeanSquaredError.gradient($0, bp.baseAddress!, count: count, weight: weight, into: $1)
            }
        }
        let expected = zip(a, b).map { 2 * Double(weight) * (Double($0) - Double($1)) / Double(count) }
        #expect(compare(gradient, expected).relativeToMax <= 1e-6)
        // Central differences of weight·mean((a − b)²), in Double (the loss is quadratic, so exact up to rounding).
        let loss = { (x: [Double]) in Double(weight) * zip(x, b).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) } / Double(count) }
        let ad = a.map(Double.init)
        for i in probeIndices(count, samples: 8) {
            var plus = ad, minus = ad
            plus[i] += 1e-3
            minus[i] -= 1e-3
            #expect(abs((loss(plus) - loss(minus)) / 2e-3 - Double(gradient[i])) <= 1e-6 * (expected.map(abs).max() ?? 1))
        }
    }

    @Test(arguments: [1, 9, 50_001])
    func adamMatchesPyTorchFormulas(count: Int) {
        var random = TestRandom(seed: 24)
        let start = random.floats(count)
        var parameters = start
        let gradients = (0..<3).map { _ in random.floats(count) }
        let expected = LossReference.adam(parameters: start.map(Double.init),
                                          gradients: gradients.map { $0.map(Double.init) }, learningRate: 3e-4)
        let adam = Adam(learningRate: 3e-4)
        var m = [Float](repeating: 0, count: count), v = m
        for (step, g) in gradients.enumerated() {
            g.withUnsafeBufferPointer { g in
                adam.update(step: step + 1, parameters: &parameters, gradients: g.baseAddress!, firstMoment: &m,
                            secondMoment: &v, count: count)
            }
        }
        // Compare each parameter's change (≈ 3·lr), not the parameter itself, so that the check is sharp; the
        // allowance is three float32 roundings of |p| < 1 (3·6e-8) against a change of about 9e-4.
        let moved = zip(parameters, start).map { Double($0) - Double($1) }
        let wanted = zip(expected, start).map { $0 - Double($1) }
        let result = compare(moved, wanted)
        #expect(result.maxAbsError <= 1e-3 * result.maxAbsReference, "\(result)")
    }
}
