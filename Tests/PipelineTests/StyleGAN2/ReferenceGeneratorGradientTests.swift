import Testing
import PivotTestSupport

/// The oracle's backward against central finite differences of its own forward (Double, tight).
struct ReferenceGeneratorGradientTests {
    @Test(arguments: [1.0 as Double?, nil])
    func backwardMatchesFiniteDifferences(clamp: Double?) {
        let config = ReferenceGenerator.Config(resolution: 8, mappingLayers: 1, channelBase: 64, channelMax: 8,
                                               convClamp: clamp, wDim: 16, zDim: 16)
        var g = ReferenceGenerator.random(config: config, seed: 5)
        var rng = SplitMix64(seed: 9)
        let ws = (0..<config.numWs).map { _ in (0..<config.wDim).map { _ in rng.nextNormal() } }
        let dImg = (0..<(3 * 64)).map { _ in rng.nextNormal() }
        func loss(_ g: ReferenceGenerator, _ ws: [[Double]]) -> Double {
            zip(g.synthesis(ws: ws).img, dImg).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let grads = g.backward(g.synthesis(ws: ws), dImg: dImg)
        let h = 1e-6
        for slot in 0..<config.numWs {
            for k in [0, 7, 15] {
                var plus = ws, minus = ws
                plus[slot][k] += h; minus[slot][k] -= h
                let numeric = (loss(g, plus) - loss(g, minus)) / (2 * h)
                #expect(abs(numeric - grads.ws[slot][k]) <= 1e-6 * max(1, abs(numeric)), "ws[\(slot)][\(k)]")
            }
        }
        var checked = 0
        for name in g.tensors.keys.sorted() where name.hasPrefix("synthesis.") {
            guard let analytic = grads.tensors[name] else { Issue.record("no gradient for \(name)"); continue }
            #expect(analytic.count == g.tensors[name]!.count, "\(name) shape")
            for k in Set([0, analytic.count / 2, analytic.count - 1]) {
                let saved = g.tensors[name]![k]
                g.tensors[name]![k] = saved + h; let up = loss(g, ws)
                g.tensors[name]![k] = saved - h; let down = loss(g, ws)
                g.tensors[name]![k] = saved
                let numeric = (up - down) / (2 * h)
                #expect(abs(numeric - analytic[k]) <= 1e-6 * max(1, abs(numeric)), "\(name)[\(k)]: \(numeric) vs \(analytic[k])")
                checked += 1
            }
        }
        #expect(checked > 60)
    }
}
