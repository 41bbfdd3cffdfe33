import Foundation

/// What `pivot status` shows: the daemon, its queue, running jobs with stage/step/ETA, recent failures.
/// Read from the journal and the progress file only, so it works whether or not the daemon runs.
public struct StatusReport: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var id: String
        public var file: String
        public var attempt: Int
        /// Queued after a transient failure: not before this time (seconds since the epoch).
        public var retryAt: Double?
        public var stage: String?
        public var progress: JobProgress?
        public var error: JobFailure?
        public var outputs: String?
        public var archived: String?
        public var finishedAt: Double?
    }

    public var daemonRunning: Bool
    public var daemonPid: Int32?
    public var inbox: String
    /// Files in the inbox not yet claimed (the daemon is down, or they are still settling).
    public var waitingInInbox: Int
    public var running: [Entry]
    public var queued: [Entry]
    public var recentFailures: [Entry]
    public var recentlyDone: [Entry]

    public static func load(_ config: WatchConfig, recent: Int = 10) throws -> StatusReport {
        let layout = StateLayout(state: config.state, outbox: config.outbox)
        let book = try Journal.replay(layout.journal)
        let alive = FileLock.isHeld(layout.daemonLock)
        let live = alive ? ProgressFile.read(layout.progress) : nil
        func entry(_ job: JobState) -> Entry {
            Entry(id: job.id, file: job.source, attempt: job.attempt, retryAt: job.notBefore,
                  progress: live?.running.first { $0.id == job.id }?.progress, error: job.lastError,
                  outputs: job.outputs, archived: job.archived, finishedAt: job.finishedAt)
        }
        let jobs = book.ordered
        let byFinish = jobs.filter(\.isFinished).sorted { ($0.finishedAt ?? 0) > ($1.finishedAt ?? 0) }
        let waiting = ((try? FileSystem.names(in: config.inbox)) ?? []).filter { !InboxNames.isIgnored($0) }.count
        return StatusReport(
            daemonRunning: alive, daemonPid: live?.pid, inbox: config.inbox, waitingInInbox: waiting,
            running: jobs.filter { $0.phase == .running }.map(entry),
            queued: jobs.filter { $0.phase == .queued }.map(entry),
            recentFailures: byFinish.filter { $0.phase == .failed }.prefix(recent).map(entry),
            recentlyDone: byFinish.filter { $0.phase == .succeeded }.prefix(recent).map(entry))
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func text(now: Date = Date()) -> String {
        var lines = [daemonRunning ? "daemon: running" + (daemonPid.map { " (pid \($0))" } ?? "")
                                   : "daemon: not running"]
        lines.append("inbox: \(waitingInInbox) file(s) waiting to be claimed in \(LogText.quoted(inbox))")
        lines.append("running: \(running.count)")
        for job in running {
            var line = "  \(job.id) \(LogText.quoted(job.file)) attempt \(job.attempt)"
            if !daemonRunning { line += " (interrupted; runs again on the next start)" }
            if let p = job.progress {
                line += ": \(p.stage) step \(p.step)/\(p.steps)"
                if let eta = p.etaSeconds { line += ", about \(Int(eta.rounded(.up))) s left in this stage" }
            }
            lines.append(line)
        }
        lines.append("queued: \(queued.count)")
        for job in queued {
            var line = "  \(job.id) \(LogText.quoted(job.file))"
            if let at = job.retryAt, let error = job.error {
                line += ": retry in \(max(0, Int((at - now.timeIntervalSince1970).rounded(.up)))) s after \(error.stage): \(error.message)"
            }
            lines.append(line)
        }
        lines.append("recent failures: \(recentFailures.count)")
        for job in recentFailures {
            let error = job.error.map { "\($0.kind.rawValue) in \($0.stage): \($0.message)" } ?? "?"
            lines.append("  \(job.id) \(LogText.quoted(job.file)) -> failed/\(job.archived ?? "-"): \(error)")
        }
        lines.append("recently done: \(recentlyDone.count)")
        for job in recentlyDone {
            lines.append("  \(job.id) \(LogText.quoted(job.file)) -> outbox/\(job.outputs ?? "?")")
        }
        return lines.joined(separator: "\n")
    }
}
