import Foundation

/// `state/progress.json`: what the daemon is doing right now, for `pivot status`.
public struct ProgressFile: Codable, Sendable {
    public struct Running: Codable, Sendable {
        public var id: String
        public var file: String
        public var attempt: Int
        public var progress: JobProgress?
    }

    public var pid: Int32
    public var updated: Double
    public var running: [Running]

    public static func read(_ path: String) -> ProgressFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ProgressFile.self, from: data)
    }
}

extension WatchDaemon {
    func writeProgressIfDue() {
        if progressDirty && Date().timeIntervalSince(progressWrittenAt) >= 0.5 { writeProgress() }
    }

    func writeProgress() {
        let entries = running.keys.sorted().compactMap { id in
            book[id].map { ProgressFile.Running(id: id, file: $0.source, attempt: $0.attempt, progress: progress[id]) }
        }
        let file = ProgressFile(pid: getpid(), updated: Date().timeIntervalSince1970, running: entries)
        do {
            try FileSystem.writeAtomically(try JSONEncoder.journal.encode(file), to: layout.progress, durable: false)
        } catch {
            log.warning("progress", "cannot write \(LogText.quoted(layout.progress)): \(error)")
        }
        progressDirty = false
        progressWrittenAt = Date()
    }
}
