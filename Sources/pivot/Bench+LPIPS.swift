import ArgumentParser
import PivotBenchmarks

/// `pivot bench lpips`: seconds per LPIPS forward + backward call at PTI's sizes.
struct BenchLPIPS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lpips",
        abstract: "LPIPS forward + backward to the input: VGG at 256x256 and AlexNet at 1024x1024, seconds per call."
    )

    @OptionGroup var options: BenchOptions

    func run() throws {
        try LPIPSBenchmark.run(repeats: options.repeats, quick: options.quick) { print($0) }
    }
}
