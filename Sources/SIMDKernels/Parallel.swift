import Synchronization
import Glibc

/// Fork/join over the machine's cores, used by every kernel that splits its work.
///
/// Contract: `Parallel.forEach(count) { i in ... }` calls the body once for each `i` in `0..<count`,
/// possibly concurrently, and returns when all calls have returned. Bodies must write disjoint memory.
///
/// The caller runs indices itself alongside up to `threadCount − 1` persistent pool threads
/// (`Parallel+WorkerPool.swift`). A `forEach` issued while the pool is busy (from inside a body, or from a
/// second thread at the same time) runs serially on its calling thread, so nesting never deadlocks.
public enum Parallel {
    /// How many threads share one `forEach` (the caller included). Defaults to the number of online cores;
    /// values below 1 are stored as 1. The command-line tool sets it from `PIVOT_THREADS`. Inside
    /// `withThreadCount` it reads that call's count instead.
    public static var threadCount: Int {
        get { taskThreadCount ?? requestedThreads.load(ordering: .relaxed) }
        set { requestedThreads.store(max(1, newValue), ordering: .relaxed) }
    }

    /// Runs `body` with `threadCount` reading `threads` (at least 1) in the calling task only. Tests use it
    /// to run a pass on a given number of threads: setting the process-wide count instead would change it
    /// under every other test running at the same time.
    public static func withThreadCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $taskThreadCount.withValue(max(1, threads), operation: body)
    }

    /// Never inlined: the serial loop then calls the same separately optimised closure as the pool threads.
    /// Inlined, a body landed inside its (often large) caller, where the optimiser stopped inlining even
    /// `loadUnaligned`, and one-thread runs paid a function call per vector load.
    @inline(never)
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, count)
        if threads > 1, WorkerPool.shared.run(count: count, threads: threads, body) { return }
        for i in 0..<max(count, 0) { body(i) }
    }

    private static let requestedThreads = Atomic<Int>(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    @TaskLocal private static var taskThreadCount: Int?
}
