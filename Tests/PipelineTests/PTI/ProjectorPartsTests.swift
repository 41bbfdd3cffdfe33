import Foundation
import Testing
import Pipeline

@Suite struct ProjectorScheduleTests {
    let schedule = ProjectorSchedule(steps: 450)

    @Test func learningRateMatchesTheSpecAtSampleSteps() {
        #expect(schedule.learningRate(step: 0) == 0)
        // Linear ramp-up over the first 5 % (22.5 steps): step 10 is 10/22.5 of the peak.
        #expect(abs(schedule.learningRate(step: 10) - 0.01 * 10 / 22.5) < 1e-12)
        for step in [23, 100, 337] { #expect(abs(schedule.learningRate(step: step) - 0.01) < 1e-12, "step \(step)") }
        // Step 338 (t = 0.7511) is the first past the plateau.
        #expect(schedule.learningRate(step: 338) < 0.01 && schedule.learningRate(step: 338) > 0.00999)
        // Cosine ramp-down over the last 25 %: halfway (t = 0.875, step 393.75) the rate is half the peak.
        let t = 394.0 / 450, ramp = (1 - t) / 0.25
        #expect(abs(schedule.learningRate(step: 394) - 0.01 * (0.5 - 0.5 * cos(Double.pi * ramp))) < 1e-15)
        #expect(abs(schedule.learningRate(step: 449) - 1.95e-6) < 0.01e-6)  // "about 2e-6 at step 449"
    }

    @Test func wNoiseVanishesQuadraticallyByStep338() {
        let wStd = 2.0
        #expect(schedule.wNoiseScale(step: 0, wStd: wStd) == 0.1)
        let t = 100.0 / 450
        #expect(abs(schedule.wNoiseScale(step: 100, wStd: wStd) - 0.1 * pow(1 - t / 0.75, 2)) < 1e-15)
        #expect(schedule.wNoiseScale(step: 338, wStd: wStd) == 0)
        #expect(schedule.wNoiseScale(step: 449, wStd: wStd) == 0)
    }
}

@Suite struct NumpyRandomStateTests {
    @Test func mt19937MatchesTheReferenceStream() {
        var generator = NumpyRandomState(seed: 5489)     // the MT19937 reference seed
        #expect(generator.nextUInt32() == 3_499_211_612)
    }

    /// Values printed by NumPy 2.4.6: `np.random.RandomState(123).randn(...)`.
    @Test func randnReproducesNumpyBitForBit() {
        var generator = NumpyRandomState(seed: 123)
        let expected = [-1.0856306033005612, 0.9973454465835858, 0.28297849805199204, -1.506294713918092, -0.5786002519685364]
        #expect(generator.gaussians(5) == expected)

        var pti = NumpyRandomState(seed: 123)
        let draws = pti.gaussians(600 * 512)          // PTI's w-statistics latents
        #expect(draws.last == 0.5644702715884099)
        #expect(abs(draws.reduce(0, +) - 581.3875856532899) < 1e-9)
    }
}

@Suite struct NoiseRegularizerTests {
    /// The definition, in Double, straight from the spec: roll, mean, square; pool 2×2; repeat to 8×8.
    private func reference(_ map: [Double], size: Int) -> Double {
        var v = map, n = size, total = 0.0
        while true {
            var a = 0.0, b = 0.0
            for y in 0..<n { for x in 0..<n {
                a += v[y * n + x] * v[y * n + (x + n - 1) % n]
                b += v[y * n + x] * v[((y + n - 1) % n) * n + x]
            } }
            total += pow(a / Double(n * n), 2) + pow(b / Double(n * n), 2)
            if n <= 8 { return total }
            var pooled = [Double](repeating: 0, count: (n / 2) * (n / 2))
            for y in 0..<(n / 2) { for x in 0..<(n / 2) {
                let top = 2 * y * n + 2 * x, bottom = top + n
                let sum: Double = v[top] + v[top + 1] + v[bottom] + v[bottom + 1]
                pooled[y * (n / 2) + x] = sum / 4
            } }
            v = pooled
            n /= 2
        }
    }

    private func sampleMap(_ size: Int) -> [Float] {
        // Smooth plus rough content, so every pyramid level has a non-zero autocorrelation.
        (0..<(size * size)).map { i -> Float in
            let smooth: Double = sin(Double(i % size) * 0.9) + cos(Double(i / size) * 0.4)
            return Float(smooth + 0.3 * sin(Double(i) * 2.1))
        }
    }

    @Test(arguments: [4, 8, 16, 32])
    func valueMatchesTheDefinition(size: Int) throws {
        let map = sampleMap(size)
        let value = try NoiseRegularizer.apply(map, size: size, gradient: nil)
        let expected = reference(map.map(Double.init), size: size)
        #expect(abs(value - expected) <= 1e-6 * expected, "\(value) vs \(expected)")
    }

    @Test(arguments: [8, 32])
    func gradientMatchesFiniteDifferences(size: Int) throws {
        let map = sampleMap(size)
        var gradient = [Float](repeating: 0, count: size * size)
        _ = try NoiseRegularizer.apply(map, size: size, gradient: &gradient)
        let mapDouble = map.map(Double.init)
        var worst = 0.0, largest = 0.0
        for i in stride(from: 0, to: map.count, by: max(1, map.count / 40)) {
            var plus = mapDouble, minus = mapDouble
            plus[i] += 1e-4
            minus[i] -= 1e-4
            let numeric = (reference(plus, size: size) - reference(minus, size: size)) / 2e-4
            worst = max(worst, abs(numeric - Double(gradient[i])))
            largest = max(largest, abs(numeric))
        }
        #expect(largest > 0)
        #expect(worst <= 1e-3 * largest, "max |Δ| \(worst), max |ref| \(largest)")
    }

    @Test func gradientAccumulatesIntoWhatIsThere() throws {
        let map = sampleMap(16)
        var fresh = [Float](repeating: 0, count: 256), seeded = [Float](repeating: 1, count: 256)
        _ = try NoiseRegularizer.apply(map, size: 16, gradient: &fresh)
        _ = try NoiseRegularizer.apply(map, size: 16, gradient: &seeded)
        #expect(zip(fresh, seeded).allSatisfy { abs($0 + 1 - $1) < 1e-6 })
    }

    @Test func renormalizeGivesZeroMeanUnitMeanSquare() {
        var map = sampleMap(16).map { $0 * 3 + 5 }
        NoiseRegularizer.renormalize(&map, count: map.count)
        let mean = map.reduce(0.0) { $0 + Double($1) } / 256
        let meanSquare = map.reduce(0.0) { $0 + Double($1) * Double($1) } / 256
        #expect(abs(mean) < 1e-6 && abs(meanSquare - 1) < 1e-5)
    }
}
