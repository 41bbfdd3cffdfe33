import Testing
import SIMDKernels

@Test func parallelForEachVisitsEveryIndexOnce() {
    for count in [0, 1, 2, 3, 17, 1000] {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
        hits.initialize(repeating: 0, count: max(count, 1))
        defer { hits.deallocate() }
        nonisolated(unsafe) let h = hits
        Parallel.forEach(count) { i in h[i] += 1 }
        #expect((0..<count).allSatisfy { hits[$0] == 1 }, "count \(count)")
    }
}
