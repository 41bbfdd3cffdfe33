import Foundation
import SIMDKernels

/// `pivot bench kernels`: GEMM and convolution throughput against this machine's measured FP32 peak.
public enum KernelBenchmark {
    /// One benchmark case: a name, a shape label, its flop count and a closure that runs it once.
    struct Case {
        var name: String
        var shape: String
        var flops: Double
        var run: () -> Void
    }

    /// Runs every case (or those whose name contains `only`) on 1 thread and on all cores; prints the peak,
    /// the table and the numpy comparison (when the GEMM cases ran).
    public static func run(quick: Bool, repeats: Int, only: String? = nil, print: (String) -> Void) {
        let cores = Parallel.threadCount
        let threadCounts = cores > 1 ? [1, cores] : [1]
        let peak = Dictionary(uniqueKeysWithValues: threadCounts.map { ($0, PeakFlops.measure(threads: $0)) })
        for t in threadCounts {
            print("FP32 peak, register-only FMA loop, \(t) thread(s): \(fixed(peak[t]!.wall, 1)) GFLOP/s wall clock; "
                  + "\(fixed(peak[t]!.perCPUSecond, 1)) GFLOP per CPU-second per thread")
        }
        print("Wall-clock columns are what a user sees. 'GFLOP/CPU-s' divides by the CPU time the process got "
              + "(all its threads), which discounts other programs sharing the cores; '% CPU peak' compares it "
              + "with one core's per-CPU-second peak.")
        var table = BenchmarkTable(header: ["case", "shape", "threads", "best ms", "median ms", "GFLOP/s",
                                            "% peak", "GFLOP/CPU-s", "% CPU peak"])
        let gemms = gemmShapes(quick: quick)
        var ours: [String: Double] = [:]
        for c in gemmCases(gemms) + ConvolutionCases.all(quick: quick) where only.map(c.name.contains) ?? true {
            for t in threadCounts {
                Parallel.threadCount = t
                let times = measure(c.run, repeats: repeats)
                let gflops = c.flops / times.best / 1e9, cpuGflops = c.flops / times.bestCPU / 1e9
                table.add([c.name, c.shape, "\(t)", fixed(times.best * 1e3, 2), fixed(times.median * 1e3, 2),
                           fixed(gflops, 1), fixed(100 * gflops / peak[t]!.wall, 0) + "%", fixed(cpuGflops, 1),
                           fixed(100 * cpuGflops / peak[t]!.perCPUSecond, 0) + "%"])
                if c.name == "sgemm" { ours["\(c.shape)/\(t)"] = gflops }
            }
            Parallel.threadCount = cores
        }
        print(table.render())
        guard !ours.isEmpty else { return }
        print("")
        print(numpyComparison(gemms, threadCounts: threadCounts, ours: ours, repeats: repeats))
    }

    /// (m, n, k) of the GEMM cases.
    static func gemmShapes(quick: Bool) -> [(Int, Int, Int)] {
        quick ? [(512, 512, 512)] : [(1024, 1024, 1024), (4096, 512, 4608)]
    }

    static func gemmCases(_ shapes: [(Int, Int, Int)]) -> [Case] {
        shapes.map { m, n, k in
            let a = Buffer(randomCount: m * k), b = Buffer(randomCount: k * n), c = Buffer(count: m * n)
            return Case(name: "sgemm", shape: "\(m)x\(n)x\(k)", flops: 2 * Double(m * n * k)) {
                sgemm(.none, .none, m: m, n: n, k: k, alpha: 1, a: a.pointer, lda: k, b: b.pointer, ldb: n,
                      beta: 0, c: c.pointer, ldc: n)
            }
        }
    }

    /// Best and median wall seconds per call over `repeats` runs after one warm-up call, and the least process
    /// CPU seconds per call of a run (all threads together, including pool threads spinning while they wait).
    /// A run is one call, or for calls under `shortestRun` enough back-to-back calls to fill it (their mean):
    /// a single 0.1 ms call (StyleGAN2's 4×4 layers) otherwise measures how fast this VM wakes the pool's
    /// parked worker (0.4–5 ms after an idle millisecond) rather than the kernel, which the generator calls
    /// back to back.
    static func measure(_ body: () -> Void, repeats: Int) -> (best: Double, median: Double, bestCPU: Double) {
        let clock = ContinuousClock()
        let warmUp = clock.measure(body).seconds
        let calls = min(1000, max(1, Int((shortestRun / warmUp).rounded(.up))))
        let runs = (0..<max(1, repeats)).map { _ in
            let start = clock.now, cpuStart = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID)
            for _ in 0..<calls { body() }
            return ((clock.now - start).seconds / Double(calls),
                    (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpuStart) / Double(calls))
        }
        let times = runs.map(\.0).sorted()
        return (times[0], times[times.count / 2], runs.map(\.1).min()!)
    }

    /// Seconds of back-to-back calls that one timed run spans at least (see `measure`).
    static let shortestRun = 0.02

    /// The same GEMMs through numpy (its BLAS), in a python3 subprocess, and the ratio ours / numpy.
    static func numpyComparison(_ shapes: [(Int, Int, Int)], threadCounts: [Int], ours: [String: Double],
                                repeats: Int) -> String {
        var table = BenchmarkTable(header: ["GEMM", "threads", "numpy GFLOP/s", "ours GFLOP/s", "ours/numpy"])
        for t in threadCounts {
            for (m, n, k) in shapes {
                let shape = "\(m)x\(n)x\(k)"
                guard let numpy = numpyGflops(m: m, n: n, k: k, threads: t, repeats: repeats) else {
                    return "numpy comparison skipped: python3 with numpy not available"
                }
                let mine = ours["\(shape)/\(t)"] ?? 0
                table.add([shape, "\(t)", fixed(numpy, 1), fixed(mine, 1), fixed(mine / numpy, 2)])
            }
        }
        return table.render()
    }

    static func numpyGflops(m: Int, n: Int, k: Int, threads: Int, repeats: Int) -> Double? {
        let script = """
            import numpy as np, time
            a = np.random.rand(\(m), \(k)).astype(np.float32); b = np.random.rand(\(k), \(n)).astype(np.float32)
            a @ b
            best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(\(max(1, repeats))))
            print(2.0 * \(m) * \(n) * \(k) / best / 1e9)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        var environment = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
            environment[name] = "\(threads)"
        }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}

/// A heap buffer of floats for benchmark operands (freed when the last case using it is gone).
final class Buffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    convenience init(randomCount count: Int) {
        self.init(count: count)
        var state: UInt32 = 12345
        for i in 0..<count {
            state = state &* 1_664_525 &+ 1_013_904_223
            pointer[i] = Float(state >> 8) * 0x1p-24 - 0.5
        }
    }

    deinit { pointer.deallocate() }
}
