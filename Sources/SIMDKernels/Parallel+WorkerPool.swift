import Synchronization
import Glibc

/// The persistent threads behind `Parallel.forEach`.
///
/// One job at a time. The caller publishes the job by bumping a generation number in `state`, runs indices
/// itself, then *closes* the job and waits only for the workers that managed to enter it. A worker that
/// wakes late finds the job closed and goes back to waiting, so a slow or descheduled worker never delays
/// a caller that already finished the work. Indices are claimed one at a time from a shared counter.
///
/// Waiting workers spin for about 20 µs (back-to-back kernel calls start within that), then yield their core
/// for up to `yieldingWindow` (other runnable threads go first), then park on a condition variable. A parked
/// worker is slow to come back where an idle vCPU halts: on the 2-vCPU Firecracker VM a worker parked for 1
/// or 3 ms entered the next job 0.4 or 4.9 ms late (p90), later than a 4×4 layer's whole call (0.1–0.2 ms).
/// Still yielding, it entered within 3–5 µs.
final class WorkerPool: @unchecked Sendable {  // unchecked: pthread mutex/cond live behind pointers.
    static let shared = WorkerPool()

    // `state` = generation << 20 | closed bit | number of workers inside the current job.
    private static let generationShift = 20
    private static let closedBit = 1 << 19
    private static let insideMask = closedBit - 1
    private static let spinsBeforeYielding = 20_000
    private static let yieldingWindow = Duration.milliseconds(5)

    private let state = Atomic<Int>(closedBit)
    private let nextIndex = Atomic<Int>(0)
    private let jobCount = Atomic<Int>(0)
    private let jobHelpers = Atomic<Int>(0)  // workers allowed into the current job
    private let jobBody = Atomic<UnsafeRawPointer?>(nil)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let workerCount = Atomic<Int>(0)  // grown only by the caller that holds `busy`
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>

    private init() {
        mutex = .allocate(capacity: 1)
        wakeUp = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeUp, nil)
    }

    /// Runs `body` for `0..<count` on `threads` threads. Returns false (having run nothing) when the pool
    /// is already in use, e.g. for a nested call; the caller then runs the loop serially.
    func run(count: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        growWorkers(to: threads - 1)

        withoutActuallyEscaping(body) { escapable in
            var function = escapable
            withUnsafePointer(to: &function) { functionPointer in
                nextIndex.store(0, ordering: .relaxed)
                jobCount.store(count, ordering: .relaxed)
                jobHelpers.store(threads - 1, ordering: .relaxed)
                jobBody.store(UnsafeRawPointer(functionPointer), ordering: .relaxed)
                let generation = (state.load(ordering: .relaxed) >> Self.generationShift) + 1
                state.store(generation << Self.generationShift, ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    pthread_mutex_lock(mutex)
                    pthread_cond_broadcast(wakeUp)
                    pthread_mutex_unlock(mutex)
                }

                claimIndices(UnsafeRawPointer(functionPointer), count: count)

                state.bitwiseOr(Self.closedBit, ordering: .relaxed)
                var spins = 0
                while state.load(ordering: .acquiring) & Self.insideMask != 0 {
                    spins += 1
                    if spins > Self.spinsBeforeYielding { sched_yield() }
                }
            }
        }
        return true
    }

    private func claimIndices(_ body: UnsafeRawPointer, count: Int) {
        while true {
            let i = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            Self.invoke(body, i)
        }
    }

    /// Out of line so that any retain/release of the closure finishes before the worker leaves the job
    /// (`withoutActuallyEscaping` checks that no reference outlives the call).
    @inline(never)
    private static func invoke(_ body: UnsafeRawPointer, _ index: Int) {
        body.assumingMemoryBound(to: ((Int) -> Void).self).pointee(index)
    }

    private func growWorkers(to wanted: Int) {
        while workerCount.load(ordering: .relaxed) < wanted {
            var thread = pthread_t()
            let created = pthread_create(&thread, nil, { argument in
                guard let argument else { return nil }
                Unmanaged<WorkerPool>.fromOpaque(argument).takeUnretainedValue().workerLoop()
            }, Unmanaged.passUnretained(self).toOpaque())
            guard created == 0 else { return }  // run with the workers we have
            pthread_detach(thread)
            workerCount.wrappingAdd(1, ordering: .relaxed)
        }
    }

    private func workerLoop() -> Never {
        var seen = state.load(ordering: .acquiring) >> Self.generationShift
        while true {
            var current = waitForNewGeneration(after: seen)
            seen = current >> Self.generationShift
            // Enter the job unless it is closed or already has its share of helpers.
            while current & Self.closedBit == 0, current & Self.insideMask < jobHelpers.load(ordering: .relaxed) {
                let attempt = state.compareExchange(expected: current, desired: current + 1, ordering: .acquiring)
                if attempt.exchanged {
                    if let body = jobBody.load(ordering: .relaxed) {
                        claimIndices(body, count: jobCount.load(ordering: .relaxed))
                    }
                    state.wrappingSubtract(1, ordering: .releasing)
                    break
                }
                current = attempt.original
                if current >> Self.generationShift != seen { break }
            }
        }
    }

    private func waitForNewGeneration(after seen: Int) -> Int {
        for _ in 0..<Self.spinsBeforeYielding {
            let current = state.load(ordering: .acquiring)
            if current >> Self.generationShift != seen { return current }
        }
        let clock = ContinuousClock(), parkingTime = clock.now + Self.yieldingWindow
        while clock.now < parkingTime {
            sched_yield()
            let current = state.load(ordering: .acquiring)
            if current >> Self.generationShift != seen { return current }
        }
        pthread_mutex_lock(mutex)
        sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
        var current = state.load(ordering: .sequentiallyConsistent)
        while current >> Self.generationShift == seen {
            pthread_cond_wait(wakeUp, mutex)
            current = state.load(ordering: .sequentiallyConsistent)
        }
        sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return current
    }
}
