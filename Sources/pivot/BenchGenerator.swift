import ArgumentParser
import PivotBenchmarks

/// `pivot bench generator --res 256|1024`
struct BenchGenerator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generator",
        abstract: "StyleGAN2 generator forward, inversion and tuning steps (seconds per step, peak memory).")

    @Option(help: "256 (paper256: channel_base 16384) or 1024 (config F: channel_base 32768).")
    var res = 256

    @Option(help: "Timed runs per step (best and median are reported).")
    var repeats = 3

    @Option(help: "Time only the steps whose name contains this text (e.g. 'forward', 'inversion').")
    var only: String?

    func validate() throws {
        guard GeneratorBenchmark.configuration(resolution: res) != nil else {
            throw ValidationError("--res must be 256 or 1024")
        }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        try GeneratorBenchmark.run(GeneratorBenchmark.configuration(resolution: res)!, repeats: repeats, only: only) { print($0) }
    }
}
