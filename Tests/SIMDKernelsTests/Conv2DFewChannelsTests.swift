import Testing
import SIMDKernels
import PivotTestSupport

/// The RGB-input path (fewer than 8 input channels: the forward takes kernel rows of a zero-haloed copy of
/// the input as taps, the backward-data col2im), forced off the small-map GEMM: 1, 3 and 7 input channels;
/// 1×1 maps, odd maps, maps of many row tiles (95×77: 7315 pixels over many ranges, AlexNet's 131×67:
/// windows cut by both borders); 3×3/1/1, 11×11/4/2, 5×5/1/2; batch 2; output channels below, at and
/// between whole vectors.
let fewChannelShapes: [Conv2D] = [
    try! Conv2D(batch: 1, height: 1, width: 1, inputChannels: 1, outputChannels: 5, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 1, width: 1, inputChannels: 3, outputChannels: 64, kernel: 5, padding: 2),
    try! Conv2D(batch: 2, height: 17, width: 13, inputChannels: 1, outputChannels: 9, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 95, width: 77, inputChannels: 3, outputChannels: 64, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 45, width: 39, inputChannels: 3, outputChannels: 20, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 1, height: 29, width: 31, inputChannels: 7, outputChannels: 33, kernel: 5, padding: 2),
    try! Conv2D(batch: 1, height: 131, width: 67, inputChannels: 3, outputChannels: 64, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 2, height: 11, width: 9, inputChannels: 7, outputChannels: 8, kernel: 11, stride: 4, padding: 2),
].map { shape in
    var forced = shape
    forced.algorithm = .implicitGemm
    return forced
}

struct Conv2DFewChannelsTests {
    @Test(arguments: fewChannelShapes.indices)
    func forwardMatchesReference(_ index: Int) {
        let s = fewChannelShapes[index], v = ConvOperands(s, seed: UInt64(index) + 900)
        let reference = ReferenceConv2D(s)
        for bias in [nil, v.bias] {
            let bad = reference.forward(input: v.x, weights: v.w, bias: bias)
                .firstMismatch(s.forward(v.x, v.w, bias: bias), terms: s.kernel * s.kernel * s.inputChannels + 1)
            #expect(bad == nil, "\(s) bias \(bias != nil): \(String(describing: bad))")
        }
    }

    @Test(arguments: fewChannelShapes.indices)
    func backwardDataMatchesReference(_ index: Int) {
        let s = fewChannelShapes[index], v = ConvOperands(s, seed: UInt64(index) + 900)
        let bad = ReferenceConv2D(s).backwardData(outputGradient: v.dy, weights: v.w)
            .firstMismatch(s.backwardData(v.dy, v.w), terms: s.kernel * s.kernel * s.outputChannels)
        #expect(bad == nil, "\(s): \(String(describing: bad))")
    }

    /// ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ up to float32 rounding of the sums.
    @Test(arguments: fewChannelShapes.indices)
    func backwardDataIsTheAdjoint(_ index: Int) {
        let s = fewChannelShapes[index], v = ConvOperands(s, seed: UInt64(index) + 1000)
        let lhs = dot(s.forward(v.x, v.w, bias: nil), v.dy), rhs = dot(v.x, s.backwardData(v.dy, v.w))
        let scale = Double(s.multiplyAdds).squareRoot()
        #expect(abs(lhs - rhs) <= 1e-5 * scale, "\(s): \(lhs) vs \(rhs)")
    }

    /// Central differences of L = ⟨conv(x, W), dy⟩ against the input gradient, on a few entries
    /// (a border pixel among them: index 0 is the top-left corner).
    @Test(arguments: [0, 2, 4, 5, 7])
    func inputGradientMatchesFiniteDifferences(_ index: Int) {
        let s = fewChannelShapes[index], v = ConvOperands(s, seed: UInt64(index) + 1100)
        func loss(_ x: [Float]) -> Double { dot(s.forward(x, v.w, bias: nil), v.dy) }
        let dx = s.backwardData(v.dy, v.w), eps: Float = 1e-2
        var rng = TestRandom(seed: UInt64(index))
        for i in [0] + (0..<4).map({ _ in Int(rng.next() % UInt64(v.x.count)) }) {
            var plus = v.x, minus = v.x
            plus[i] += eps; minus[i] -= eps
            let fx = (loss(plus) - loss(minus)) / Double(2 * eps)
            #expect(abs(fx - Double(dx[i])) <= 2e-3 * max(1, abs(fx)), "\(s) dx[\(i)]: \(fx) vs \(dx[i])")
        }
    }

    /// Rows split over threads, never a sum: one thread gives the bits of all (see `ImplicitGemmThreadTests`).
    @Test func oneThreadGivesTheBitsOfAll() {
        expectOneThreadGivesTheBitsOfAll([fewChannelShapes[3], fewChannelShapes[6]], seed: 1200)
    }
}
