import Testing
import Pipeline
import PivotTestSupport

/// The Double oracle against NVlabs' outputs: mapping, truncation, images, blocks, every gradient.
struct ReferenceGeneratorFixtureTests {
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: ["tiny32", "small64"])
    func oracleMatchesNVlabs(name: String) throws {
        let fixture = try StyleGAN2Fixture(name)
        let g = try fixture.oracle()
        let z = try fixture.ref("z").map(Double.init)
        for n in 0..<2 {
            let w = g.mapping(z: Array(z[(n * 512)..<((n + 1) * 512)]))
            expectMatch("\(name) ws[\(n)]", g.truncate(w, psi: 1).flatMap { $0 }, try fixture.ref("ws", sample: n), 1e-5)
            expectMatch("\(name) ws_psi0.7[\(n)]", g.truncate(w, psi: 0.7).flatMap { $0 },
                        try fixture.ref("ws_psi0.7", sample: n), 1e-5)
            expectMatch("\(name) ws_psi0.5_cutoff4[\(n)]", g.truncate(w, psi: 0.5, cutoff: 4).flatMap { $0 },
                        try fixture.ref("ws_psi0.5_cutoff4", sample: n), 1e-5)
        }
        // Synthesis on sample 0 (the gradient sample); the fast generator's test covers both samples.
        let ws = try fixture.ws("ws", sample: 0).map { $0.map(Double.init) }
        let trace = g.synthesis(ws: ws)
        expectMatch("\(name) img", trace.img, try fixture.ref("img", sample: 0), 1e-4)
        expectMatch("\(name) img_noise_none", g.synthesis(ws: ws, noise: .none).img,
                    try fixture.ref("img_noise_none", sample: 0), 1e-4)
        let wsPsi = try fixture.ws("ws_psi0.7", sample: 0).map { $0.map(Double.init) }
        expectMatch("\(name) img_psi0.7", g.synthesis(ws: wsPsi).img, try fixture.ref("img_psi0.7", sample: 0), 1e-4)
        for b in trace.blocks {
            expectMatch("\(name) block.b\(b.resolution).x", b.x, try fixture.ref("block.b\(b.resolution).x"), 1e-4)
            expectMatch("\(name) block.b\(b.resolution).img", b.img, try fixture.ref("block.b\(b.resolution).img"), 1e-4)
        }
        let dImg = try fixture.ref("grad.R").map(Double.init)
        let loss = zip(trace.img, dImg).reduce(0) { $0 + $1.0 * $1.1 }
        expectMatch("\(name) grad.loss", [loss], try fixture.ref("grad.loss"), 1e-5)
        let grads = g.backward(trace, dImg: dImg)
        expectMatch("\(name) grad.ws", grads.ws.flatMap { $0 }, try fixture.ref("grad.ws"), 1e-3)
        var seen = 0
        for key in fixture.io.names where key.hasPrefix("grad.synthesis.") {
            let param = String(key.dropFirst("grad.".count))
            guard let mine = grads.tensors[param] else { Issue.record("no gradient for \(param)"); continue }
            expectMatch("\(name) \(key)", mine, try fixture.ref(key), 1e-3)
            seen += 1
        }
        #expect(seen == (name == "tiny32" ? 43 : 51))
    }
}
