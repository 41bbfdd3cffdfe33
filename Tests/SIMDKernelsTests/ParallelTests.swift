import Testing
import Glibc
import SIMDKernels

@Suite struct ParallelTests {
    /// Counts how often each index was visited (bodies write disjoint slots, as the contract requires).
    final class HitCounter: @unchecked Sendable {
        let hits: UnsafeMutablePointer<Int>
        let count: Int
        init(_ count: Int) {
            self.count = count
            hits = .allocate(capacity: max(count, 1))
            hits.initialize(repeating: 0, count: max(count, 1))
        }
        deinit { hits.deallocate() }
        var allOnce: Bool { (0..<count).allSatisfy { hits[$0] == 1 } }
    }

    @Test(arguments: [1, 2, 3, 4])
    func visitsEveryIndexOnce(threads: Int) {
        Parallel.withThreadCount(threads) {
            for count in [0, 1, 2, 3, 17, 1000, 100_003] {
                let counter = HitCounter(count)
                Parallel.forEach(count) { i in counter.hits[i] += 1 }
                #expect(counter.allOnce, "count \(count), threads \(threads)")
            }
        }
    }

    @Test func negativeCountRunsNothing() {
        var calls = 0
        Parallel.forEach(-3) { _ in calls += 1 }
        #expect(calls == 0)
    }

    @Test func threadCountIsAtLeastOne() {
        Parallel.withThreadCount(0) { #expect(Parallel.threadCount == 1) }
        Parallel.withThreadCount(-5) { #expect(Parallel.threadCount == 1) }
    }

    /// `withThreadCount` holds for the calling task only: another thread meanwhile still reads the process-wide
    /// count, so tests that pick a thread count never change it under the tests running beside them.
    @Test func threadCountOfOneTaskLeavesOtherThreadsAlone() {
        let processWide = Parallel.threadCount
        Parallel.withThreadCount(processWide + 3) {
            #expect(Parallel.threadCount == processWide + 3)
            #expect(threadCountOnAnotherThread() == processWide)
        }
        #expect(Parallel.threadCount == processWide)
    }

    /// `Parallel.threadCount` as a new thread, outside any task, reads it.
    func threadCountOnAnotherThread() -> Int {
        final class Result: @unchecked Sendable { var threadCount = 0 }
        let result = Result()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<Result>.fromOpaque(context!).takeUnretainedValue().threadCount = Parallel.threadCount
            return nil
        }, Unmanaged.passUnretained(result).toOpaque())
        #expect(created == 0)
        pthread_join(thread, nil)
        return result.threadCount
    }

    @Test func nestedCallsRunEveryInnerIndexOnce() {
        let outer = 7, inner = 33
        let counter = HitCounter(outer * inner)
        Parallel.forEach(outer) { o in
            Parallel.forEach(inner) { i in counter.hits[o * inner + i] += 1 }
        }
        #expect(counter.allOnce)
    }

    @Test func manyRapidCalls() {
        let counter = HitCounter(3)
        for _ in 0..<20_000 {
            Parallel.forEach(3) { i in counter.hits[i] += 1 }
        }
        #expect((0..<3).allSatisfy { counter.hits[$0] == 20_000 })
    }

    /// Jobs published while the workers spin (no pause), yield (a pause inside the yielding window) and are
    /// parked (a pause past it) each run every index once.
    @Test func jobsAfterEveryWaitingPhaseRunEveryIndexOnce() {
        Parallel.withThreadCount(2) {
            for pause: UInt32 in [0, 1_000, 20_000, 0] {
                usleep(pause)
                let counter = HitCounter(64)
                Parallel.forEach(counter.count) { i in counter.hits[i] += 1 }
                #expect(counter.allOnce, "after a pause of \(pause) µs")
            }
        }
    }

    /// Several threads calling at once: one gets the pool, the others run serially; none may hang or skip.
    @Test func concurrentCallersEachGetAllTheirIndices() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var ok = true
                    for round in 0..<300 {
                        let counter = HitCounter(round % 40)
                        Parallel.forEach(counter.count) { i in counter.hits[i] += 1 }
                        ok = ok && counter.allOnce
                    }
                    return ok
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
    }

    /// A pool that silently ran everything on the caller would pass the tests above; this one would fail.
    /// Retries because other suites may hold the pool (their calls make ours serial) or steal the core.
    @Test func workIsSharedBetweenThreads() {
        Parallel.withThreadCount(2) {
            let count = 16
            let threadOf = UnsafeMutablePointer<pthread_t>.allocate(capacity: count)
            defer { threadOf.deallocate() }
            nonisolated(unsafe) let slots = threadOf
            var sawTwoThreads = false
            // Up to 20 s of attempts: while other suites run, the pool is busy most of the time.
            let deadline = ContinuousClock.now + .seconds(20)
            while !sawTwoThreads && ContinuousClock.now < deadline {
                Parallel.forEach(count) { i in
                    slots[i] = pthread_self()
                    var x = 0.0
                    for k in 0..<20_000 { x += Double(k).squareRoot() }  // ~20 µs of work per index
                    if x < 0 { slots[i] = 0 }
                }
                sawTwoThreads = (1..<count).contains { threadOf[$0] != threadOf[0] }
            }
            #expect(sawTwoThreads)
        }
    }
}
