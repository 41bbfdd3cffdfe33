import Foundation

/// `pivot bench watch-load`: runs the real `pivot watch` as a subprocess, drops a first batch of files
/// at once and a second batch while it works, and checks that every file ends up exactly once in
/// done/ or failed/. Then measures the idle daemon's CPU use and memory.
public struct WatchLoadBenchmark {
    public struct Result {
        public var dropped = 0
        public var done = 0
        public var failed = 0
        /// Dropped names found neither in done/ nor in failed/, and names found more than once.
        public var missing: [String] = []
        public var extra: [String] = []
        public var seconds = 0.0
        public var idleCPUPercent = 0.0
        public var residentKiB = 0
        public var peakResidentKiB = 0

        public var accountedExactlyOnce: Bool { missing.isEmpty && extra.isEmpty && done + failed == dropped }
    }

    public var executable: String
    /// A file the daemon accepts; every tenth drop is a text file named .jpg instead, which must fail.
    public var image: [UInt8]
    public var firstBatch = 200
    public var secondBatch = 100
    public var idleSeconds = 10.0
    public var timeout = 1800.0
    /// The daemon runs the real PTI pipeline on every face, on the demo generator with one projector step
    /// and no tuning step: the benchmark measures the daemon's bookkeeping, not PTI (`pivot bench pti`).
    public var pipelineArguments = ["--invert-steps", "1", "--tune-steps", "0", "--models-folder", "/nonexistent"]

    public init(executable: String, image: [UInt8]) {
        self.executable = executable
        self.image = image
    }

    public func run(progress: (String) -> Void) throws -> Result {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pivot-watch-load-\(UUID().uuidString)").path
        let (inbox, outbox, state) = (root + "/inbox", root + "/outbox", root + "/state")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: executable)
        daemon.arguments = ["watch", "--inbox", inbox, "--outbox", outbox, "--state", state] + pipelineArguments
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try daemon.run()
        defer { if daemon.isRunning { daemon.terminate(); daemon.waitUntilExit() } }
        Thread.sleep(forTimeInterval: 0.5)

        var result = Result()
        let start = Date()
        func drop(_ index: Int) {
            let bad = index % 10 == 9
            let bytes = bad ? Array("not an image \(index)\n".utf8) : image
            _ = FileManager.default.createFile(atPath: inbox + String(format: "/load-%04d.jpg", index), contents: Data(bytes))
        }
        func archived() -> (done: [String], failed: [String]) {
            // The daemon's own temporary names (an error report being written) are not archived inputs.
            func list(_ folder: String) -> [String] {
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.contains(".pivot-tmp-") }
            }
            return (list(state + "/done"), list(state + "/failed").filter { !$0.hasSuffix(".error.json") })
        }
        for index in 0..<firstBatch { drop(index) }
        progress("dropped \(firstBatch) files")
        while archived().done.count + archived().failed.count < firstBatch / 4 && Date().timeIntervalSince(start) < timeout {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for index in firstBatch..<(firstBatch + secondBatch) { drop(index) }
        result.dropped = firstBatch + secondBatch
        progress("dropped \(secondBatch) more while it ran")
        while archived().done.count + archived().failed.count < result.dropped && Date().timeIntervalSince(start) < timeout {
            Thread.sleep(forTimeInterval: 0.05)
        }
        result.seconds = Date().timeIntervalSince(start)
        let (done, failed) = archived()
        result.done = done.count
        result.failed = failed.count
        let expected = Set((0..<result.dropped).map { String(format: "load-%04d.jpg", $0) })
        let found = done + failed
        result.missing = expected.subtracting(found).sorted()
        result.extra = found.filter { !expected.contains($0) }.sorted()
        progress("all accounted for after \(String(format: "%.1f", result.seconds)) s; measuring idle use for \(idleSeconds) s")

        let before = Self.cpuTicks(daemon.processIdentifier)
        Thread.sleep(forTimeInterval: idleSeconds)
        let after = Self.cpuTicks(daemon.processIdentifier)
        result.idleCPUPercent = Double(after - before) / Double(sysconf(Int32(_SC_CLK_TCK))) / idleSeconds * 100
        result.residentKiB = Self.statusField(daemon.processIdentifier, "VmRSS:")
        result.peakResidentKiB = Self.statusField(daemon.processIdentifier, "VmHWM:")
        return result
    }

    /// utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15).
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: field 3 (state) is index 0, so fields 14 and 15 are 11 and 12.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    /// A "kB" value from /proc/<pid>/status.
    static func statusField(_ pid: Int32, _ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
}
