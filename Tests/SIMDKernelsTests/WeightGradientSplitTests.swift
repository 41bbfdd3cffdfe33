import Testing
import SIMDKernels

/// The weight gradient's work split depends on the worker count (pixel ranges with partial sums, or row
/// ranges): one worker, and three (uneven shares), must give the reference sums too.
@Suite struct WeightGradientSplitTests {
    @Test(arguments: [1, 3])
    func backwardWeightsMatchesReference(threads: Int) {
        for index in [4, 10, 11, 12, 14, 15, 17, 18, 19, 20] {
            let mismatch = Parallel.withThreadCount(threads) { backwardWeightsMismatch(convShapes[index], seed: UInt64(index)) }
            #expect(mismatch == nil, "\(convShapes[index]), \(threads) threads: \(mismatch ?? "")")
        }
    }

    /// The GEMM's plan is kept per shape: layers that differ only in width or padding, run in turn (the
    /// second of each pair would find the first's plan under a key that missed the difference), each match
    /// the reference.
    @Test func layersOfOtherWidthsAndPaddingsGetTheirOwnPlans() {
        let layers = [(5, 1), (9, 1), (9, 0), (5, 1)].map { width, padding in
            try! Conv2D(batch: 1, height: 4, width: width, inputChannels: 7, outputChannels: 10, kernel: 3,
                        padding: padding)
        }
        for (index, layer) in layers.enumerated() {
            let mismatch = backwardWeightsMismatch(layer, seed: UInt64(index) + 900)
            #expect(mismatch == nil, "\(layer): \(mismatch ?? "")")
        }
    }
}
