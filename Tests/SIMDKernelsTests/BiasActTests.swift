import Testing
import SIMDKernels
import PivotTestSupport

/// The fused epilogue against the Double reference; gradients of every operand against the reference's
/// analytic backward, per-coordinate central differences, and a directional (adjoint) identity.
struct BiasActTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var shape: NHWCShape
        var leakyReLU = true
        var clamp: Float? = 0.6
        var scale = true, bias = true, noise = true, noisePerImage = false
        var testDescription: String {
            "\(shape) \(leakyReLU ? "lrelu" : "linear") clamp \(clamp.map { "\($0)" } ?? "none")"
                + "\(scale ? " scale" : "")\(bias ? " bias" : "")\(noise ? (noisePerImage ? " noise/image" : " noise") : "")"
        }
    }

    static let cases: [Case] = [
        Case(shape: .init(batch: 1, height: 1, width: 1, channels: 1)),
        Case(shape: .init(batch: 2, height: 3, width: 5, channels: 3)),
        Case(shape: .init(batch: 1, height: 4, width: 4, channels: 8), clamp: nil),
        Case(shape: .init(batch: 2, height: 5, width: 3, channels: 17), noisePerImage: true),
        Case(shape: .init(batch: 1, height: 3, width: 3, channels: 16), leakyReLU: false, scale: false, noise: false),
        Case(shape: .init(batch: 1, height: 2, width: 3, channels: 5), leakyReLU: false, clamp: nil, bias: false,
             noise: false),  // plain per-channel scaling
        Case(shape: .init(batch: 2, height: 23, width: 29, channels: 33)),  // several 256-pixel chunks
    ]

    /// All operands as one flat Double vector [x, scale, bias, noise, strength], and back.
    struct Layout {
        let c: Case
        var counts: [Int] {
            let s = c.shape
            return [s.count, c.scale ? s.batch * s.channels : 0, c.bias ? s.channels : 0,
                    c.noise ? (c.noisePerImage ? s.batch : 1) * s.pixels : 0, 1]
        }
        func values(_ flat: [Double]) -> BiasActReference.Values {
            var parts: [[Double]] = []
            var start = 0
            for n in counts { parts.append(Array(flat[start..<start + n])); start += n }
            return .init(x: parts[0], scale: c.scale ? parts[1] : nil, bias: c.bias ? parts[2] : nil,
                         noise: c.noise ? parts[3] : nil, strength: parts[4][0])
        }
        func flat(_ v: BiasActReference.Values) -> [Double] {
            v.x + (v.scale ?? []) + (v.bias ?? []) + (v.noise ?? []) + [v.strength]
        }
    }

    @Test(arguments: cases)
    func forwardAndBackwardMatchReference(_ c: Case) {
        let layout = Layout(c: c)
        var random = TestRandom(seed: 7)
        let flat = layout.counts.flatMap { random.floats($0).map { 2 * Double($0) } }
        let v = layout.values(flat)
        let op = BiasAct(activation: c.leakyReLU ? .leakyReLU : .linear, gain: c.leakyReLU ? Float(2.0.squareRoot()) : 1,
                         clamp: c.clamp)
        let reference = BiasActReference(shape: c.shape, leakyReLU: c.leakyReLU, gain: Double(op.gain),
                                         clamp: c.clamp.map(Double.init), noisePerImage: c.noisePerImage)
        let dy = random.floats(c.shape.count)
        let kernel = runBiasAct(op, c, v, gradOutput: dy)

        let forward = compare(kernel.y, reference.forward(v))
        #expect(forward.relativeToMax <= 1e-6, "forward \(forward)")

        let expected = reference.backward(v, gradOutput: dy.map(Double.init))
        let pairs: [(String, [Float], [Double])] = [
            ("dx", kernel.gradients.x.map(Float.init), expected.x), ("dscale", kernel.gradients.scale?.map(Float.init) ?? [], expected.scale ?? []),
            ("dbias", kernel.gradients.bias?.map(Float.init) ?? [], expected.bias ?? []),
            ("dnoise", kernel.gradients.noise?.map(Float.init) ?? [], expected.noise ?? []),
            ("dstrength", [Float(kernel.gradients.strength)], [expected.strength]),
        ]
        for (name, actual, wanted) in pairs {
            let result = compare(actual, wanted)
            #expect(result.relativeToMax <= 1e-5, "\(name) \(result)")
        }

        // Central differences of the reference forward, per coordinate and along a random direction.
        let ourGradient = layout.flat(kernel.gradients)
        let loss = { (flat: [Double]) in innerProduct(reference.forward(layout.values(flat)), dy) }
        let h = 1e-6
        let scale = ourGradient.map(abs).max() ?? 1
        for i in probeIndices(flat.count, samples: 40) {
            var plus = flat, minus = flat
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / (2 * h)
            #expect(abs(numeric - ourGradient[i]) <= 1e-5 * scale, "coordinate \(i): fd \(numeric), ours \(ourGradient[i])")
        }
        let direction = (0..<flat.count).map { _ in Double(random.uniform()) }
        let jvp = (loss(zip(flat, direction).map { $0 + h * $1 }) - loss(zip(flat, direction).map { $0 - h * $1 })) / (2 * h)
        let vjp = innerProduct(direction, ourGradient)
        #expect(abs(jvp - vjp) <= 1e-5 * (abs(jvp) + abs(vjp)), "⟨J·d, dy⟩ \(jvp) vs ⟨d, Jᵀ·dy⟩ \(vjp)")
    }

    /// Runs forward and backward of the kernel on Float copies of the operands.
    private func runBiasAct(_ op: BiasAct, _ c: Case, _ v: BiasActReference.Values, gradOutput dy: [Float])
        -> (y: [Float], gradients: BiasActReference.Values) {
        let x = v.x.map(Float.init), scale = v.scale?.map(Float.init) ?? [0], bias = v.bias?.map(Float.init) ?? [0]
        let noise = v.noise?.map(Float.init) ?? [0]
        var y = [Float](repeating: .nan, count: x.count), dx = y
        var dScale = [Float](repeating: .nan, count: scale.count), dBias = [Float](repeating: .nan, count: bias.count)
        var dNoise = [Float](repeating: .nan, count: noise.count), dStrength: Float = .nan
        x.withUnsafeBufferPointer { x in scale.withUnsafeBufferPointer { scale in bias.withUnsafeBufferPointer { bias in
        noise.withUnsafeBufferPointer { noise in
            let operands = BiasAct.Operands(scale: c.scale ? scale.baseAddress : nil, bias: c.bias ? bias.baseAddress : nil,
                                            noise: c.noise ? noise.baseAddress : nil,
                                            noiseImageStride: c.noisePerImage ? c.shape.pixels : 0,
                                            noiseStrength: Float(v.strength))
            y.withUnsafeMutableBufferPointer { op.forward(x.baseAddress!, shape: c.shape, operands: operands, output: $0.baseAddress!) }
            dx.withUnsafeMutableBufferPointer { dx in dScale.withUnsafeMutableBufferPointer { dScale in
            dBias.withUnsafeMutableBufferPointer { dBias in dNoise.withUnsafeMutableBufferPointer { dNoise in
            withUnsafeMutablePointer(to: &dStrength) { dStrength in
                dy.withUnsafeBufferPointer { dy in
                    op.backward(x.baseAddress!, gradOutput: dy.baseAddress!, shape: c.shape, operands: operands,
                                gradients: .init(input: dx.baseAddress, scale: dScale.baseAddress, bias: dBias.baseAddress,
                                                 noise: dNoise.baseAddress, noiseStrength: dStrength))
                }
            } } } } }
        } } } }
        let gradients = BiasActReference.Values(
            x: dx.map(Double.init), scale: c.scale ? dScale.map(Double.init) : nil, bias: c.bias ? dBias.map(Double.init) : nil,
            noise: c.noise ? dNoise.map(Double.init) : nil, strength: c.noise ? Double(dStrength) : 0)
        return (y, gradients)
    }

    @Test func inPlaceForwardMatchesOutOfPlace() {
        let shape = NHWCShape(batch: 1, height: 3, width: 4, channels: 10)
        var random = TestRandom(seed: 8)
        let x = random.floats(shape.count), bias = random.floats(shape.channels)
        let op = BiasAct.leakyReLU(clamp: 0.5)
        var inPlace = x
        let outOfPlace = bias.withUnsafeBufferPointer { b in
            let operands = BiasAct.Operands(bias: b.baseAddress)
            inPlace.withUnsafeMutableBufferPointer { op.forward($0.baseAddress!, shape: shape, operands: operands, output: $0.baseAddress!) }
            return runKernel(x, outputCount: x.count) { op.forward($0, shape: shape, operands: operands, output: $1) }
        }
        #expect(inPlace == outOfPlace)
    }
}
