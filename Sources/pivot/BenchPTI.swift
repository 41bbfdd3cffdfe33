import ArgumentParser
import PivotBenchmarks

/// `pivot bench pti --res 256|1024`
struct BenchPTI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pti",
        abstract: "PTI inversion and tuning steps with their LPIPS losses, and one whole face (random weights).")

    @Option(help: "256 (paper256) or 1024 (config F).")
    var res = 256

    @Option(help: "Steps timed per stage (the first projector step, which also sets up, is not counted).")
    var steps = 4

    @Flag(help: "Run one whole face at PTI's step counts instead of extrapolating.")
    var whole = false

    func validate() throws {
        guard res == 256 || res == 1024 else { throw ValidationError("--res must be 256 or 1024") }
        guard steps >= 2 else { throw ValidationError("--steps must be at least 2") }
    }

    func run() throws {
        try PTIBenchmark.run(resolution: res, steps: steps, whole: whole) { print($0) }
    }
}
