import ArgumentParser
import Watcher

/// `pivot status`: the daemon's queue, running jobs and recent failures.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the watch daemon's queue, the running job (stage, step, ETA) and recent failures.")

    @OptionGroup var folders: FolderOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "How many recent failures and finished jobs to list.")
    var recent = 10

    func run() throws {
        let report = try StatusReport.load(try folders.resolve(), recent: recent)
        print(json ? try report.json() : report.text())
    }
}
