import Testing
import SIMDKernels
import PivotTestSupport

/// upfirdn2d, upsample2d and area resizing against scalar Double references; backward passes by the
/// adjoint identity and by finite differences.
struct ResamplingTests {
    struct UpfirdnCase: CustomTestStringConvertible, Sendable {
        var name: String
        var op: Upfirdn2D
        var shape: NHWCShape
        var testDescription: String { "\(name) \(shape)" }
    }

    static let upfirdnCases: [UpfirdnCase] = [
        .init(name: "upsample2d 1×1", op: .upsample2d, shape: .init(batch: 1, height: 1, width: 1, channels: 1)),
        .init(name: "upsample2d odd", op: .upsample2d, shape: .init(batch: 1, height: 3, width: 5, channels: 3)),
        .init(name: "upsample2d batch 2, 17 ch", op: .upsample2d, shape: .init(batch: 2, height: 4, width: 4, channels: 17)),
        .init(name: "upsample2d large (threaded)", op: .upsample2d, shape: .init(batch: 1, height: 40, width: 36, channels: 19)),
        .init(name: "transposed-conv blur", op: .transposedConvBlur, shape: .init(batch: 1, height: 9, width: 7, channels: 5)),
        .init(name: "down 2, asymmetric filter",
              op: Upfirdn2D(filter: [0.5, 1, -0.25], down: 2, padX0: 1, padX1: 2, padY0: 0, padY1: 1, gain: 1.5),
              shape: .init(batch: 1, height: 8, width: 7, channels: 3)),
        .init(name: "down 2, asymmetric filter, flipped",
              op: Upfirdn2D(filter: [0.5, 1, -0.25], down: 2, padX0: 1, padX1: 2, padY0: 0, padY1: 1, gain: 1.5,
                            flipFilter: true),
              shape: .init(batch: 1, height: 8, width: 7, channels: 3)),
        .init(name: "up 3 down 2, negative padding",
              op: Upfirdn2D(filter: [1, 2, 3, 4, 5], up: 3, down: 2, padX0: -1, padX1: 2, padY0: 1, padY1: -2, gain: 2),
              shape: .init(batch: 2, height: 6, width: 5, channels: 2)),
    ]

    @Test(arguments: upfirdnCases)
    func upfirdn2dMatchesReference(_ c: UpfirdnCase) throws {
        var random = TestRandom(seed: 1)
        let x = random.floats(c.shape.count)
        let outShape = try c.op.outputShape(for: c.shape)
        let y = try runKernel(x, outputCount: outShape.count) { try c.op.forward($0, shape: c.shape, output: $1) }
        let ref = ResamplingReference.upfirdn2d(x, shape: c.shape, filter: c.op.filter, up: c.op.up, down: c.op.down,
                                                padX0: c.op.padX0, padX1: c.op.padX1, padY0: c.op.padY0,
                                                padY1: c.op.padY1, gain: Double(c.op.gain), flipFilter: c.op.flipFilter)
        #expect(ref.shape == outShape)
        let result = compare(y, ref.values)
        #expect(result.relativeToMax <= 1e-6, "\(result)")
    }

    @Test(arguments: upfirdnCases)
    func upfirdn2dBackwardIsAdjointAndMatchesFiniteDifferences(_ c: UpfirdnCase) throws {
        var random = TestRandom(seed: 2)
        let x = random.floats(c.shape.count)
        let outShape = try c.op.outputShape(for: c.shape)
        let dy = random.floats(outShape.count)
        let forward = { (x: [Float]) in
            try! runKernel(x, outputCount: outShape.count) { try c.op.forward($0, shape: c.shape, output: $1) }
        }
        let dx = try runKernel(dy, outputCount: c.shape.count) {
            try c.op.backward(gradOutput: $0, inputShape: c.shape, gradInput: $1)
        }
        #expect(adjointMismatch(jvp: forward(x), dy: dy, dx: x, vjp: dx) <= 1e-6)
        let fd = finiteDifferenceMismatch(x: x, dy: dy, gradient: dx, indices: probeIndices(x.count), step: 0.25,
                                          forward: forward)
        #expect(fd <= 1e-4)
    }

    @Test(arguments: [NHWCShape(batch: 1, height: 1, width: 1, channels: 1),
                      NHWCShape(batch: 2, height: 5, width: 3, channels: 4),
                      NHWCShape(batch: 1, height: 8, width: 8, channels: 3)])
    func upsample2dMatchesClosedForm(_ shape: NHWCShape) throws {
        var random = TestRandom(seed: 3)
        let x = random.floats(shape.count)
        let y = try runKernel(x, outputCount: shape.count * 4) {
            try Upfirdn2D.upsample2d.forward($0, shape: shape, output: $1)
        }
        let result = compare(y, ResamplingReference.upsample2d(x, shape: shape))
        #expect(result.relativeToMax <= 1e-6, "\(result)")
    }

    @Test func upfirdn2dRejectsImpossibleParameters() {
        let shape = NHWCShape(batch: 1, height: 2, width: 2, channels: 1)
        #expect(throws: KernelShapeError.self) { try Upfirdn2D(filter: [1, 1, 1, 1, 1]).outputShape(for: shape) }
        #expect(throws: KernelShapeError.self) { try Upfirdn2D(filter: [1], up: 0).outputShape(for: shape) }
        #expect(throws: KernelShapeError.self) { try Upfirdn2D(filter: []).outputShape(for: shape) }
        #expect(throws: KernelShapeError.self) {
            try Upfirdn2D.upsample2d.outputShape(for: NHWCShape(batch: 0, height: 2, width: 2, channels: 1))
        }
    }

    struct AreaCase: CustomTestStringConvertible, Sendable {
        var shape: NHWCShape
        var outputHeight: Int, outputWidth: Int
        var testDescription: String { "\(shape) → \(outputHeight)×\(outputWidth)" }
    }

    static let areaCases: [AreaCase] = [
        .init(shape: .init(batch: 1, height: 1, width: 1, channels: 1), outputHeight: 1, outputWidth: 1),
        .init(shape: .init(batch: 1, height: 16, width: 16, channels: 3), outputHeight: 4, outputWidth: 4),
        .init(shape: .init(batch: 1, height: 7, width: 5, channels: 2), outputHeight: 3, outputWidth: 2),
        .init(shape: .init(batch: 2, height: 5, width: 5, channels: 9), outputHeight: 5, outputWidth: 5),
        .init(shape: .init(batch: 1, height: 3, width: 4, channels: 1), outputHeight: 5, outputWidth: 7),
        .init(shape: .init(batch: 1, height: 96, width: 90, channels: 20), outputHeight: 30, outputWidth: 31),
    ]

    @Test(arguments: areaCases)
    func areaResizeMatchesReferenceAndItsBackwardIsTheAdjoint(_ c: AreaCase) throws {
        var random = TestRandom(seed: 4)
        let x = random.floats(c.shape.count)
        let op = AreaResize(outputHeight: c.outputHeight, outputWidth: c.outputWidth)
        let outShape = try op.outputShape(for: c.shape)
        let forward = { (x: [Float]) in
            try! runKernel(x, outputCount: outShape.count) { try op.forward($0, shape: c.shape, output: $1) }
        }
        let ref = ResamplingReference.area(x, shape: c.shape, outputHeight: c.outputHeight, outputWidth: c.outputWidth)
        let result = compare(forward(x), ref)
        #expect(result.relativeToMax <= 1e-6, "\(result)")

        let dy = random.floats(outShape.count)
        let dx = try runKernel(dy, outputCount: c.shape.count) {
            try op.backward(gradOutput: $0, inputShape: c.shape, gradInput: $1)
        }
        #expect(adjointMismatch(jvp: forward(x), dy: dy, dx: x, vjp: dx) <= 1e-6)
        let fd = finiteDifferenceMismatch(x: x, dy: dy, gradient: dx, indices: probeIndices(x.count), step: 0.25,
                                          forward: forward)
        #expect(fd <= 1e-4)
    }
}
