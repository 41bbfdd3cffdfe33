import ArgumentParser
import Pipeline

@main
struct Pivot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pivot",
        abstract: "Edit faces in photos with StyleGAN2 and Pivotal Tuning Inversion, on the CPU.",
        version: PivotVersion.string,
        subcommands: [Watch.self, Status.self, CleanupCommand.self, Bench.self]
    )
}

/// `pivot bench ...`: performance measurements (never part of the test suite).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of Pivot's kernels and stages.",
        subcommands: []
    )
}
