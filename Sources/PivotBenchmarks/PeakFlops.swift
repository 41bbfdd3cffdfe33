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
    static func singleThread(iterations: Int) -> (gflops: Double, sink: Float) {
        var acc = InlineArray<12, Vector>(repeating: Vector(repeating: 0))
        let x = Vector(repeating: 0.999_999), y = Vector(repeating: 1e-7)
        let start = ContinuousClock.now
        for _ in 0..<iterations {
            for i in 0..<12 { acc[i] = acc[i].addingProduct(x, y) }
        }
        let seconds = (ContinuousClock.now - start).seconds
        var sink: Float = 0
        for i in 0..<12 { sink += acc[i].sum() }
        // Each step is one FMA (2 flops per lane) per chain.
        return (Double(iterations) * 12 * Double(Vector.scalarCount) * 2 / seconds / 1e9, sink)
    }

    /// Best of `repeats` runs on `threads` threads at once (total GFLOP/s).
    public static func measure(threads: Int, repeats: Int = 5, iterations: Int = 20_000_000) -> Double {
        var best = 0.0
        for _ in 0..<repeats {
            let results = UnsafeMutablePointer<Double>.allocate(capacity: threads)
            defer { results.deallocate() }
            nonisolated(unsafe) let out = results
            let saved = Parallel.threadCount
            Parallel.threadCount = threads
            Parallel.forEach(threads) { t in out[t] = singleThread(iterations: iterations).gflops }
            Parallel.threadCount = saved
            best = max(best, (0..<threads).reduce(0) { $0 + results[$1] })
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
