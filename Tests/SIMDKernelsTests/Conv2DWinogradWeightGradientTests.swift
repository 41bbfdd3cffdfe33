import Testing
import SIMDKernels
import PivotTestSupport

/// Shapes for the Winograd weight gradient beyond `winogradShapes` (which it also runs, forced onto Winograd):
/// 1×N and N×1 maps, 3×3 with padding 2, and maps of more tiles than one group (K = blocks² × input channels
/// + output channels = 520 gives 126 tiles a group): 143 tiles in two groups (the last one a tile short, so
/// its spare slot must add nothing), and a 5×5 kernel (4 blocks) over 288 tiles of two images in three groups
/// (a group boundary inside an image).
let winogradWeightGradientShapes: [Conv2D] = forced(winogradShapes + [
    try! Conv2D(batch: 1, height: 1, width: 37, inputChannels: 8, outputChannels: 16, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 37, width: 1, inputChannels: 16, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 9, width: 11, inputChannels: 8, outputChannels: 24, kernel: 3, padding: 2),
    try! Conv2D(batch: 1, height: 41, width: 49, inputChannels: 512, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 46, width: 47, inputChannels: 128, outputChannels: 8, kernel: 5, padding: 2),
], onto: .winograd)

struct Conv2DWinogradWeightGradientTests {
    /// Within the direct GEMM's float32 bound (`backwardWeightsMismatch`: (terms + 2)·2⁻²⁴·Σ|x·dy|, a term per
    /// output pixel) plus 144 terms, the 16 pixels × 9 taps that one tile's transforms mix: the transforms'
    /// rounding does not shrink with the map. Measured worst entries: 51 units of 2⁻²⁴·Σ|x·dy| on the 5×3 map
    /// (15 pixels), 44 on 9×6, at most 28 elsewhere; the GEMM gets 1–3.
    @Test(arguments: winogradWeightGradientShapes.indices)
    func backwardWeightsMatchesReference(_ index: Int) {
        let s = winogradWeightGradientShapes[index]
        let mismatch = backwardWeightsMismatch(s, seed: UInt64(index) + 600, extraTerms: 144)
        #expect(mismatch == nil, "\(s): \(mismatch ?? "")")
    }

    /// With `accumulate`, the gradient adds to what is there (here: a first gradient of random values).
    @Test(arguments: [1, 17])
    func accumulateAddsToExistingGradients(_ index: Int) {
        let s = winogradWeightGradientShapes[index], v = ConvOperands(s, seed: 610)
        var rng = TestRandom(seed: 611)
        let start = (rng.floats(s.weightCount), rng.floats(s.outputChannels))
        let (dw, db) = s.backwardWeights(v.x, v.dy), (sum, biasSum) = s.backwardWeights(v.x, v.dy, into: start)
        let expected = zip(start.0, dw).map { $0 + $1 }
        #expect(compare(sum, expected).relativeToMax < 1e-6, "\(compare(sum, expected))")
        #expect(compare(biasSum, zip(start.1, db).map { $0 + $1 }).relativeToMax < 1e-6)
    }

    /// ⟨conv(x, W), dy⟩ = ⟨W, dW(x, dy)⟩: the weight gradient is the adjoint of W ↦ conv(x, W).
    @Test(arguments: [0, 9, 13, 16, 18])
    func weightGradientIsTheAdjoint(_ index: Int) {
        let s = winogradWeightGradientShapes[index], v = ConvOperands(s, seed: UInt64(index) + 620)
        let lhs = dot(s.forward(v.x, v.w, bias: nil), v.dy), rhs = dot(v.w, s.backwardWeights(v.x, v.dy).0)
        let scale = Double(s.multiplyAdds).squareRoot()
        #expect(abs(lhs - rhs) <= 1e-5 * scale, "\(s): \(lhs) vs \(rhs)")
    }

    /// Central differences of L = ⟨conv(x, W), dy⟩ in a few weights, against dW.
    @Test(arguments: [1, 12, 16])
    func weightGradientMatchesFiniteDifferences(_ index: Int) {
        let s = winogradWeightGradientShapes[index], v = ConvOperands(s, seed: UInt64(index) + 630)
        let dw = s.backwardWeights(v.x, v.dy).0
        var rng = TestRandom(seed: UInt64(index))
        let eps: Float = 1e-2
        for _ in 0..<6 {
            let j = Int(rng.next() % UInt64(v.w.count))
            func loss(_ d: Float) -> Double { var w = v.w; w[j] += d; return dot(s.forward(v.x, w, bias: nil), v.dy) }
            let central = (loss(eps) - loss(-eps)) / Double(2 * eps)
            #expect(abs(central - Double(dw[j])) <= 2e-3 * max(1, abs(central)), "\(s) dw[\(j)]: \(central) vs \(dw[j])")
        }
    }

    /// The automatic path takes Winograd for the weight gradient where it does for the forward pass and the
    /// channels are enough (Cin·Cout ≥ 32·(Cin + Cout)): a 32² map of 64 channels, not 31² nor 32 channels.
    @Test func automaticPathChoosesWinogradByShape() {
        for (size, channels, winograd) in [(32, 64, true), (31, 64, false), (32, 32, false), (32, 64 + 8, true)] {
            let s = try! Conv2D(batch: 1, height: size, width: size, inputChannels: channels, outputChannels: 64,
                                kernel: 3, padding: 1)
            var forced = s
            forced.algorithm = winograd ? .winograd : .implicitGemm
            let v = ConvOperands(s, seed: 640)
            #expect(s.usesWinogradForWeightGradient == winograd && s.usesWinograd == (size == 32))
            #expect(s.backwardWeights(v.x, v.dy).0 == forced.backwardWeights(v.x, v.dy).0)
        }
    }
}

@Suite struct WinogradWeightGradientThreadTests {
    /// Threads split tiles (the transforms), points (the GEMMs) and rows (the final transform), never a sum,
    /// so one, two and three threads give the same bits; shapes of one group and of several.
    @Test func threadCountDoesNotChangeTheBits() {
        for index in [6, 17, 18] {
            let s = winogradWeightGradientShapes[index], v = ConvOperands(s, seed: 650)
            let results = [1, 2, 3].map { threads in Parallel.withThreadCount(threads) { s.backwardWeights(v.x, v.dy).0 } }
            #expect(results[0] == results[1] && results[0] == results[2], "\(s)")
        }
    }
}
