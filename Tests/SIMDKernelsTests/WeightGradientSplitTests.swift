import Testing
import SIMDKernels

/// The weight gradient's work split depends on the worker count (pixel ranges with partial sums, or row
/// ranges): one worker, and three (uneven shares), must give the reference sums too. Serialized because
/// it changes the process-wide `Parallel.threadCount`.
@Suite(.serialized) struct WeightGradientSplitTests {
    @Test(arguments: [1, 3])
    func backwardWeightsMatchesReference(threads: Int) {
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        Parallel.threadCount = threads
        for index in [4, 10, 11, 12, 14, 15, 17, 18, 19, 20] {
            let mismatch = backwardWeightsMismatch(convShapes[index], seed: UInt64(index))
            #expect(mismatch == nil, "\(convShapes[index]), \(threads) threads: \(mismatch ?? "")")
        }
    }
}
