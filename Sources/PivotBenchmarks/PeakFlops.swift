import Glibc
import SIMDKernels

/// This machine's FP32 ceiling, measured with a register-only FMA loop (no memory traffic):
/// independent accumulator chains, enough to cover FMA latency on both FMA ports.
public enum PeakFlops {
    #if PIVOT_AVX512
    typealias Vector = SIMD16<Float>
    #else
    typealias Vector = SIMD8<Float>
    #endif

    /// GFLOP/s of one thread running `iterations` steps of 12 independent vector FMA chains
/// (12 ≥ FMA latency × FMA ports on Zen 3 and Intel cores, so the ports never wait).
    @inline(never)
    static func singleThread(iterations: Int) -> (gflops: Double, cpuGflops: Double, sink: Float) {
        var acc = InlineArray<12, Vector>(repeating: Vector(repeating: 0))
        let x = Vector(repeating: 0.999_999), y = Vector(repeating: 1e-7)
        let start = ContinuousClock.now, cpuStart = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
        for _ in 0..<iterations {
            for i in 0..<12 { acc[i] = acc[i].addingProduct(x, y) }
        }
        let seconds = (ContinuousClock.now - start).seconds, cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart
        var sink: Float = 0
        for i in 0..<12 { sink += acc[i].sum() }
        // Each step is one FMA (2 flops per lane) per chain.
        let flops = Double(iterations) * 12 * Double(Vector.scalarCount) * 2
        return (flops / seconds / 1e9, flops / cpu / 1e9, sink)
    }

    /// Best of `repeats` runs on `threads` threads at once: total GFLOP/s by the wall clock, and per second
    /// of CPU time the threads actually got (one core's peak, whatever else the machine runs).
    public static func measure(threads: Int, repeats: Int = 5, iterations: Int = 20_000_000)
        -> (wall: Double, perCPUSecond: Double) {
        var best = (wall: 0.0, perCPUSecond: 0.0)
        for _ in 0..<repeats {
            let results = UnsafeMutablePointer<(Double, Double)>.allocate(capacity: threads)
            defer { results.deallocate() }
            nonisolated(unsafe) let out = results
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            Parallel.forEach(threads) { t in
                let run = singleThread(iterations: iterations)
                out[t] = (run.gflops, run.cpuGflops)
            }
            Parallel.threadCount = saved
            best.wall = max(best.wall, (0..<threads).reduce(0) { $0 + results[$1].0 })
            best.perCPUSecond = max(best.perCPUSecond, (0..<threads).reduce(0) { $0 + results[$1].1 } / Double(threads))
        }
        return best
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}

/// CPU seconds consumed so far by this thread (CLOCK_THREAD_CPUTIME_ID) or process (CLOCK_PROCESS_CPUTIME_ID).
func cpuSeconds(_ clock: clockid_t) -> Double {
    var t = timespec()
    clock_gettime(clock, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
