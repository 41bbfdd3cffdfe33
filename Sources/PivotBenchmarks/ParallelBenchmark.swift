import Glibc
import SIMDKernels

/// Fork/join overhead of `Parallel.forEach`: the cost of one call whose bodies do nothing.
///
/// - "hot": calls back to back, so the pool threads are still spinning when the next call arrives;
/// - "cold": each call follows a 2 ms pause, so the pool threads have parked and must be woken.
public enum ParallelBenchmark {
    /// One row per (case, thread count): median, min and max nanoseconds per call over `repeats` runs.
    public static func forkJoinTable(threadCounts: [Int] = [1, 2], repeats: Int = 7) -> BenchmarkTable {
        var table = BenchmarkTable(header: ["case", "threads", "median ns/call", "min", "max"])
        let saved = Parallel.threadCount
        defer { Parallel.threadCount = saved }
        for threads in threadCounts {
            Parallel.threadCount = threads
            let hot = (0..<repeats).map { _ in nanosecondsPerCall(calls: 20_000, pauseBetween: false) }
            let cold = (0..<repeats).map { _ in nanosecondsPerCall(calls: 50, pauseBetween: true) }
            for (name, samples) in [("hot (back to back)", hot), ("cold (after 2 ms idle)", cold)] {
                let sorted = samples.sorted()
                table.add([name, "\(threads)", format(sorted[sorted.count / 2]), format(sorted[0]),
                           format(sorted[sorted.count - 1])])
            }
        }
        return table
    }

    /// Mean nanoseconds per `Parallel.forEach(threadCount)` call with an empty body.
    public static func nanosecondsPerCall(calls: Int, pauseBetween: Bool) -> Double {
        let clock = ContinuousClock()
        var total = Duration.zero
        for _ in 0..<calls {
            if pauseBetween { usleep(2000) }
            let start = clock.now
            Parallel.forEach(Parallel.threadCount) { _ in }
            total += clock.now - start
        }
        let (seconds, attoseconds) = total.components
        return (Double(seconds) * 1e9 + Double(attoseconds) * 1e-9) / Double(calls)
    }

    private static func format(_ nanoseconds: Double) -> String {
        String(Int(nanoseconds.rounded()))
    }
}
