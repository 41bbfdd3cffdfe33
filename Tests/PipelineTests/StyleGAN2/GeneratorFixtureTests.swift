import Testing
import Pipeline
import PivotTestSupport

/// The fast generator, loaded by the checkpoint readers, against NVlabs' outputs (fixtures.md §1.2).
struct GeneratorFixtureTests {
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: ["tiny32", "small64"])
    func matchesNVlabs(name: String) throws {
        let fixture = try StyleGAN2Fixture(name)
        let g = try fixture.generator()
        let R = g.resolution
        #expect(g.mapping.wAvg == (try fixture.ref("w_avg")), "w_avg must be bitwise equal")
        let z = try fixture.ref("z")
        for n in 0..<2 {
            let zn = Array(z[(n * 512)..<((n + 1) * 512)])
            expectMatch("\(name) ws[\(n)]", g.ws(z: zn).flatMap { $0 }, try fixture.ref("ws", sample: n), 1e-5)
            expectMatch("\(name) ws_psi0.7[\(n)]", g.ws(z: zn, psi: 0.7).flatMap { $0 },
                        try fixture.ref("ws_psi0.7", sample: n), 1e-5)
            expectMatch("\(name) ws_psi0.5_cutoff4[\(n)]", g.ws(z: zn, psi: 0.5, cutoff: 4).flatMap { $0 },
                        try fixture.ref("ws_psi0.5_cutoff4", sample: n), 1e-5)
            let ws = try fixture.ws("ws", sample: n)
            func image(_ ws: [[Float]], _ noise: NoiseMode) -> [Float] {
                nchw(g.synthesis.forward(ws: ws, noise: noise, keep: false).image, size: R, channels: 3)
            }
            expectMatch("\(name) img[\(n)]", image(ws, .const), try fixture.ref("img", sample: n), 1e-4)
            expectMatch("\(name) img_noise_none[\(n)]", image(ws, .none), try fixture.ref("img_noise_none", sample: n), 1e-4)
            expectMatch("\(name) img_psi0.7[\(n)]", image(try fixture.ws("ws_psi0.7", sample: n), .const),
                        try fixture.ref("img_psi0.7", sample: n), 1e-4)
        }
        let trace = g.synthesis.forward(ws: try fixture.ws("ws", sample: 0))
        for (b, block) in g.synthesis.blocks.enumerated() {
            let r = block.resolution
            expectMatch("\(name) block.b\(r).x", nchw(trace.blockFeatures(b), size: r, channels: block.conv1.outputs),
                        try fixture.ref("block.b\(r).x"), 1e-4)
            expectMatch("\(name) block.b\(r).img", nchw(trace.blockImages[b], size: r, channels: 3),
                        try fixture.ref("block.b\(r).img"), 1e-4)
        }
        let dImg = nhwc(try fixture.ref("grad.R"), size: R, channels: 3)
        let loss = zip(trace.image, dImg).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        // The loss is a forward output (Σ image·weights): the forward tolerance. Winograd's rounding puts
        // tiny32's at 1.2e-5.
        expectMatch("\(name) grad.loss", [loss], try fixture.ref("grad.loss"), 1e-4)
        let grads = g.synthesis.backward(trace, dImage: dImg, parameters: true)
        expectMatch("\(name) grad.ws", grads.ws.flatMap { $0 }, try fixture.ref("grad.ws"), 1e-3)
        var mine = grads.parameters!.namedTensors()
        for (i, noise) in grads.noise.enumerated() { mine["\(g.synthesis.layerName(i)).noise_const"] = noise }
        var seen = 0
        for key in fixture.io.names where key.hasPrefix("grad.synthesis.") {
            let param = String(key.dropFirst("grad.".count))
            guard let m = mine[param] else { Issue.record("no gradient for \(param)"); continue }
            expectMatch("\(name) \(key)", m, try fixture.ref(key), 1e-3)
            seen += 1
        }
        #expect(seen == (name == "tiny32" ? 43 : 51))
        // Projection asks for no parameter gradients and takes the non-fused route: the same ws and noise
        // gradients up to float rounding.
        let inversion = g.synthesis.backward(g.synthesis.forward(ws: try fixture.ws("ws", sample: 0)),
                                             dImage: dImg, parameters: false)
        #expect(inversion.parameters == nil)
        expectMatch("\(name) noise gradients (non-fused)", inversion.noise.flatMap { $0! }, grads.noise.flatMap { $0! }, 1e-5)
        expectMatch("\(name) grad.ws (non-fused)", inversion.ws.flatMap { $0 }, grads.ws.flatMap { $0 }, 1e-5)
        expectMatch("\(name) grad.ws (non-fused) vs NVlabs", inversion.ws.flatMap { $0 }, try fixture.ref("grad.ws"), 1e-3)
    }
}
