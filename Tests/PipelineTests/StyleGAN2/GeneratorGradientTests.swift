import Testing
import Pipeline
import PivotTestSupport

/// The fast generator on small random generators: against the Double oracle (forward and every gradient),
/// and against finite differences of its own forward.
struct GeneratorGradientTests {
    static func make(_ config: ReferenceGenerator.Config, seed: UInt64) throws -> (ReferenceGenerator, StyleGAN2Generator) {
        let oracle = ReferenceGenerator.random(config: config, seed: seed)
        let architecture = try GeneratorConfig(resolution: config.resolution, zDim: config.zDim, wDim: config.wDim,
                                               mappingLayers: config.mappingLayers, channelBase: config.channelBase,
                                               channelMax: config.channelMax, convClamp: config.convClamp)
        let weights = try GeneratorWeights.make(architecture) { name, _ in oracle.tensor(name).map(Float.init) }
        return (oracle, try StyleGAN2Generator(weights: weights))
    }

    /// Channel counts 20, 12, 6: not multiples of the SIMD width; clamp active or off.
    @Test(arguments: [1.0 as Double?, nil])
    func matchesOracle(clamp: Double?) throws {
        try expectMatchesOracle(ReferenceGenerator.Config(resolution: 16, mappingLayers: 2, channelBase: 96, channelMax: 20,
                                                          convClamp: clamp, wDim: 24, zDim: 24))
    }

    /// 24 channels throughout: whole SIMD vectors, three full blocks of eight outputs per layer (the modulated
    /// weight's transposed blocks with no partial block or column).
    @Test func matchesOracleOnWholeVectors() throws {
        try expectMatchesOracle(ReferenceGenerator.Config(resolution: 16, mappingLayers: 2, channelBase: 384, channelMax: 24,
                                                          convClamp: 1.0, wDim: 24, zDim: 24))
    }

    /// 76 channels: ten blocks of eight outputs per layer, the last of four lanes, more than the modulated
    /// weight's parallel chunks on a few threads (so a chunk walks several blocks), and W rows of 684 floats
    /// (85 whole 8×8 transposes and four gathered columns).
    @Test func matchesOracleOnManyOutputBlocks() throws {
        try expectMatchesOracle(ReferenceGenerator.Config(resolution: 16, mappingLayers: 2, channelBase: 1216, channelMax: 76,
                                                          convClamp: 1.0, wDim: 24, zDim: 24))
    }

    /// Forward and every gradient (fused and non-fused routes) against the Double oracle.
    func expectMatchesOracle(_ config: ReferenceGenerator.Config) throws {
        let (oracle, fast) = try Self.make(config, seed: 3)
        var rng = SplitMix64(seed: 11)
        let z = (0..<24).map { _ in rng.nextNormal() }
        let wsRef = oracle.truncate(oracle.mapping(z: z), psi: 0.6, cutoff: 3)
        let ws = fast.ws(z: z.map(Float.init), psi: 0.6, cutoff: 3)
        #expect(compare(ws.flatMap { $0 }, wsRef.flatMap { $0 }).relativeToMax <= 1e-5)
        let R = config.resolution
        let dImg = (0..<(3 * R * R)).map { _ in rng.nextNormal() }
        for noise in [ReferenceGenerator.NoiseMode.const, .none] {
            let ref = oracle.synthesis(ws: wsRef, noise: noise)
            let trace = fast.synthesis.forward(ws: ws, noise: noise == .const ? .const : .none)
            let image = compare(nchw(trace.image, size: R, channels: 3), ref.img)
            #expect(image.relativeToMax <= 1e-4, "image \(noise): \(image)")
            let refGrads = oracle.backward(ref, dImg: dImg)
            let grads = fast.synthesis.backward(trace, dImage: nhwc(dImg.map(Float.init), size: R, channels: 3),
                                                parameters: true)
            let dws = compare(grads.ws.flatMap { $0 }, refGrads.ws.flatMap { $0 })
            #expect(dws.relativeToMax <= 1e-3, "ws gradient: \(dws)")
            let inversion = fast.synthesis.backward(fast.synthesis.forward(ws: ws, noise: noise == .const ? .const : .none),
                                                    dImage: nhwc(dImg.map(Float.init), size: R, channels: 3), parameters: false)
            let inversionWs = compare(inversion.ws.flatMap { $0 }, refGrads.ws.flatMap { $0 })
            #expect(inversionWs.relativeToMax <= 1e-3, "ws gradient, non-fused route: \(inversionWs)")
            var named = grads.parameters!.namedTensors()
            for (i, map) in grads.noise.enumerated() {
                let name = "\(fast.synthesis.layerName(i)).noise_const"
                #expect((map == nil) == (noise == .none))
                named[name] = map   // the oracle has no noise gradients (nor strength ones) without noise
            }
            for (name, expected) in refGrads.tensors {
                guard let mine = named[name] else { Issue.record("no gradient \(name)"); continue }
                let c = compare(mine, expected)
                #expect(c.relativeToMax <= 1e-3, "\(name) (\(noise)): \(c)")
            }
            #expect(refGrads.tensors.count == named.count - (noise == .none ? 5 : 0))   // noise_strength: zero here, absent there
        }
    }

    /// Central differences in Float on a tiny unclamped generator (res 8, 16 channels): loss Σ img·R. With
    /// `parameters` false, the projector's non-fused route: ws and noise maps only.
    @Test(arguments: [true, false])
    func matchesFiniteDifferences(parameters: Bool) throws {
        let config = ReferenceGenerator.Config(resolution: 8, mappingLayers: 1, channelBase: 64, channelMax: 16,
                                               convClamp: nil, wDim: 16, zDim: 16)
        let (_, fast) = try Self.make(config, seed: 21)
        var rng = SplitMix64(seed: 4)
        let ws = (0..<fast.numWs).map { _ in (0..<16).map { _ in Float(rng.nextNormal()) } }
        let dImg = (0..<(3 * 64)).map { _ in Float(rng.nextNormal()) }
        func loss(_ g: StyleGAN2Generator, _ ws: [[Float]]) -> Double {
            zip(g.synthesis.forward(ws: ws, keep: false).image, dImg).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        let grads = fast.synthesis.backward(fast.synthesis.forward(ws: ws), dImage: dImg, parameters: parameters)
        let h: Float = 1e-2
        func expectClose(_ numeric: Double, _ analytic: Float, _ label: String) {
            #expect(abs(numeric - Double(analytic)) <= 2e-2 * max(1, abs(numeric)), "\(label): fd \(numeric) vs \(analytic)")
        }
        /// Richardson-extrapolated central difference (error O(h⁴)) of loss(offset by t).
        func derivative(_ f: (Float) -> Double) -> Double {
            let wide = (f(h) - f(-h)) / Double(2 * h), narrow = (f(h / 2) - f(-h / 2)) / Double(h)
            return (4 * narrow - wide) / 3
        }
        for slot in 0..<fast.numWs {
            for k in [0, 9] {
                let numeric = derivative { t in var p = ws; p[slot][k] += t; return loss(fast, p) }
                expectClose(numeric, grads.ws[slot][k], "ws[\(slot)][\(k)]")
            }
        }
        // Every parameter tensor and noise map: one entry each, through the state_dict names.
        var named = grads.parameters?.namedTensors() ?? [:]
        for (i, map) in grads.noise.enumerated() { named["\(fast.synthesis.layerName(i)).noise_const"] = map }
        var checked = 0
        for (name, path) in fast.synthesis.tensorPaths where parameters || name.hasSuffix(".noise_const") {
            let k = named[name]!.count / 2
            let numeric = derivative { t in var g = fast; g.synthesis[keyPath: path][k] += t; return loss(g, ws) }
            expectClose(numeric, named[name]![k], name)
            checked += 1
        }
        #expect(checked == (parameters ? 1 + 3 * 6 + 2 * 4 : 3))   // const, 3 conv layers, 2 ToRGB
    }

    /// The projector's non-fused route (parameters: false) against the fused one, which also computes the weight
    /// gradients: the same ws and noise gradients up to float rounding, with clamp on and off,
    /// noise const and none, channel counts that are not multiples of the SIMD width.
    @Test(arguments: [1.0 as Double?, nil])
    func inversionRouteMatchesFusedRoute(clamp: Double?) throws {
        let config = ReferenceGenerator.Config(resolution: 32, mappingLayers: 1, channelBase: 288, channelMax: 36,
                                               convClamp: clamp, wDim: 20, zDim: 20)
        let (_, fast) = try Self.make(config, seed: 8)
        var rng = SplitMix64(seed: 5)
        let ws = (0..<fast.numWs).map { _ in (0..<20).map { _ in Float(rng.nextNormal()) } }
        let dImg = (0..<(3 * 32 * 32)).map { _ in Float(rng.nextNormal()) }
        for noise in [NoiseMode.const, .none] {
            let fused = fast.synthesis.backward(fast.synthesis.forward(ws: ws, noise: noise), dImage: dImg, parameters: true)
            let nonFused = fast.synthesis.backward(fast.synthesis.forward(ws: ws, noise: noise), dImage: dImg, parameters: false)
            #expect(nonFused.parameters == nil)
            expectSameInputGradients(nonFused, fused, "\(noise)")
        }
    }

    /// The projector's frozen weights (non-fused forward on W prepared once, Winograd transforms cached) against
    /// the fused route: the same image and ws and noise gradients up to float rounding, with clamp on and off,
    /// on channel counts that are not multiples of the SIMD width (no Winograd) and on a 32² layer of whole
    /// vectors (Winograd forward and backward-data on the cached transforms).
    @Test(arguments: [(36, 1.0 as Double?), (36, nil), (32, 1.0), (32, nil)])
    func frozenRouteMatchesFusedRoute(channelMax: Int, clamp: Double?) throws {
        let config = ReferenceGenerator.Config(resolution: 32, mappingLayers: 1, channelBase: 16 * channelMax,
                                               channelMax: channelMax, convClamp: clamp, wDim: 20, zDim: 20)
        let (_, fast) = try Self.make(config, seed: 9)
        var rng = SplitMix64(seed: 6)
        let ws = (0..<fast.numWs).map { _ in (0..<20).map { _ in Float(rng.nextNormal()) } }
        let dImg = (0..<(3 * 32 * 32)).map { _ in Float(rng.nextNormal()) }
        let frozen = fast.synthesis.frozenWeights()
        for noise in [NoiseMode.const, .none] {
            let fusedTrace = fast.synthesis.forward(ws: ws, noise: noise)
            let frozenTrace = fast.synthesis.forward(ws: ws, noise: noise, frozen: frozen)
            let image = compare(frozenTrace.image, fusedTrace.image)
            #expect(image.relativeToMax <= 1e-5, "image (\(noise)): \(image)")
            let fused = fast.synthesis.backward(fusedTrace, dImage: dImg, parameters: true)
            let nonFused = fast.synthesis.backward(frozenTrace, dImage: dImg, parameters: false)
            expectSameInputGradients(nonFused, fused, "\(noise)")
        }
    }

    /// Rendering (no trace kept) modulates each Winograd conv1 layer's weight straight into its transforms (here
    /// the 32² layer, 32 channels: four blocks of eight outputs over two panels): the same U as transforming the
    /// packed weight, so the image of the kept forward pass bit for bit (PTI's locality term relies on it).
    @Test(arguments: [1.0 as Double?, nil])
    func renderingMatchesKeptForward(clamp: Double?) throws {
        let config = ReferenceGenerator.Config(resolution: 32, mappingLayers: 1, channelBase: 16 * 32, channelMax: 32,
                                               convClamp: clamp, wDim: 20, zDim: 20)
        let (_, g) = try Self.make(config, seed: 10)
        var rng = SplitMix64(seed: 8)
        let ws = (0..<g.numWs).map { _ in (0..<20).map { _ in Float(rng.nextNormal()) } }
        for noise in [NoiseMode.const, .none] {
            #expect(g.synthesis.forward(ws: ws, noise: noise, keep: false).image == g.synthesis.forward(ws: ws, noise: noise).image)
        }
    }

    /// The ws and noise gradients of two routes agree up to float rounding (relative to each one's max).
    func expectSameInputGradients(_ mine: SynthesisNetwork.Gradients, _ expected: SynthesisNetwork.Gradients,
                                  _ label: String) {
        for (m, e) in zip(mine.noise, expected.noise) {
            let c = compare(m ?? [], e ?? [])
            #expect(c.relativeToMax <= 1e-5 && (m == nil) == (e == nil), "noise (\(label)): \(c)")
        }
        for slot in expected.ws.indices {
            let c = compare(mine.ws[slot], expected.ws[slot])
            #expect(c.relativeToMax <= 1e-5, "ws[\(slot)] (\(label)): \(c)")
        }
    }
}
