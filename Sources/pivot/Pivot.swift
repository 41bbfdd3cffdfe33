import ArgumentParser
import Foundation
import Pipeline
import PivotBenchmarks
import SIMDKernels

@main
struct Pivot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pivot",
        abstract: "Edit faces in photos with StyleGAN2 and Pivotal Tuning Inversion, on the CPU.",
        version: PivotVersion.string,
        subcommands: [ProcessCommand.self, AlignCommand.self, Watch.self, Status.self, CleanupCommand.self, Generate.self, Models.self, LPIPSCommand.self, Bench.self]
    )

    static func main() {
        HeapPolicy.keepLargeBlocks()
        if let value = ProcessInfo.processInfo.environment["PIVOT_THREADS"] {
            guard let threads = Int(value), threads > 0 else {
                FileHandle.standardError.write(Data("pivot: PIVOT_THREADS must be a positive integer, not '\(value)'\n".utf8))
                Foundation.exit(64)
            }
            Parallel.threadCount = threads
        }
        main(nil)
    }
}

/// `pivot bench ...`: performance measurements (never part of the test suite).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of Pivot's kernels and stages.",
        subcommands: [BenchAlign.self, BenchKernels.self, BenchWatchLoad.self, BenchGenerator.self, BenchLPIPS.self, BenchPTI.self]
    )
}

/// `pivot bench kernels`: GEMM and convolution GFLOP/s against the measured FP32 peak, 1 thread and all cores.
struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "GEMM and convolution throughput (GFLOP/s, % of this machine's FP32 peak), plus numpy's GEMM."
    )

    @OptionGroup var options: BenchOptions

    @Option(help: "Time only the cases whose name contains this text (e.g. 'dW', '1024x1024').")
    var only: String?

    func run() {
        KernelBenchmark.run(quick: options.quick, repeats: options.repeats, only: only) { print($0) }
    }
}

/// The options every timing benchmark shares.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Run small shapes only (a smoke run of a few seconds).")
    var quick = false

    @Option(help: "Timed runs per case (best and median are reported).")
    var repeats = 5
}
