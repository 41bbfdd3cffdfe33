import ArgumentParser
import Foundation
import PivotBenchmarks

/// `pivot bench watch-load`: 200 files at once and 100 more while the daemon works; each must end up
/// exactly once in done/ or failed/. Reports the time taken and the idle daemon's CPU and memory.
struct BenchWatchLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch-load",
        abstract: "Load-test `pivot watch` and measure its idle CPU and memory.")

    @Option(help: "Image to drop (default: a face chip from $PIVOT_FIXTURES, else a bare JPEG signature, which fails).")
    var image: String?

    @Option(help: "Files dropped at once.")
    var first = 200

    @Option(help: "Files dropped while the daemon works on the first batch.")
    var second = 100

    @Option(help: "Seconds of idle measurement after the queue is empty.")
    var idle = 10.0

    func run() throws {
        let fixtures = ProcessInfo.processInfo.environment["PIVOT_FIXTURES"] ?? "../shared/fixtures"
        let chip = fixtures + "/faces/johns/John_Salley/000179_02159509.jpg"
        let path = image ?? (FileManager.default.fileExists(atPath: chip) ? chip : nil)
        let bytes: [UInt8]
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read image \(path)")
            }
            bytes = Array(data)
        } else {
            bytes = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0xFF, 0xD9]
        }
        var benchmark = WatchLoadBenchmark(executable: CommandLine.arguments[0].hasPrefix("/")
            ? CommandLine.arguments[0] : URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, image: bytes)
        (benchmark.firstBatch, benchmark.secondBatch, benchmark.idleSeconds) = (first, second, idle)
        let result = try benchmark.run { print($0) }
        print("image: \(path ?? "bare JPEG signature (every drop fails in decode)")")
        print("dropped \(result.dropped): done \(result.done), failed \(result.failed) (every tenth is a text file)")
        print("accounted for exactly once: \(result.accountedExactlyOnce ? "yes" : "NO")"
              + (result.missing.isEmpty ? "" : "; missing \(result.missing.prefix(10))")
              + (result.extra.isEmpty ? "" : "; unexpected \(result.extra.prefix(10))"))
        print(String(format: "wall time %.2f s (%.1f files/s)", result.seconds, Double(result.dropped) / result.seconds))
        print(String(format: "idle daemon: CPU %.3f %% over %.0f s, RSS %d KiB (peak %d KiB)",
                     result.idleCPUPercent, idle, result.residentKiB, result.peakResidentKiB))
        if !result.accountedExactlyOnce { throw ExitCode.failure }
    }
}
