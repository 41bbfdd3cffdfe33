import Foundation

/// The end of a job: the decision is journaled first, then its effects follow — publish the output
/// folder into the outbox, move the input to done/ or failed/. The effects are idempotent, so
/// recovery after a crash simply runs them again.
extension WatchDaemon {
    func publish(_ id: String) {
        guard let job = book[id] else { return }
        withPublishLock {
            var record = JournalRecord(.succeeded, id: id)
            record.outputs = FileSystem.freeName(Self.stem(job.name), in: layout.outbox, keepExtension: false)
            record.archived = FileSystem.freeName(job.name, in: layout.done)
            journalOrLog(record)
        }
        completeEffects(of: id)
        guard let done = book[id] else { return }
        log.info("done", "job \(id) \(LogText.quoted(job.source)) -> outbox/\(done.outputs ?? "?")",
                 ["job": id, "file": job.source, "outputs": done.outputs ?? ""])
    }

    func fail(_ id: String, _ error: JobError) {
        guard let job = book[id] else { return }
        let hasInput = FileSystem.exists(layout.inputFolder(id) + "/" + job.name)
        withPublishLock {
            var record = JournalRecord(.failed, id: id)
            (record.stage, record.message, record.kind) = (error.stage, error.message, error.kind)
            if hasInput {
                record.archived = FileSystem.freeName(job.name, in: layout.failed) { [$0 + ".error.json"] }
            }
            journalOrLog(record)
        }
        completeEffects(of: id)
        log.error("failed", "job \(id) \(LogText.quoted(job.source)) failed (\(error.kind.rawValue)) in \(error.stage): \(error.message)",
                  ["job": id, "file": job.source, "stage": error.stage, "class": error.kind.rawValue])
    }

    /// Carries out a finished job's journaled decision; safe to repeat.
    func completeEffects(of id: String) {
        guard let job = book[id], job.isFinished else { return }
        let input = layout.inputFolder(id) + "/" + job.name
        do {
            try withPublishLock {
                if job.phase == .succeeded, let outputs = job.outputs, FileSystem.exists(layout.partialFolder(id)) {
                    try FileSystem.move(layout.partialFolder(id), to: layout.outbox + "/" + outputs)
                }
                if let archived = job.archived, FileSystem.exists(input) {
                    let folder = job.phase == .succeeded ? layout.done : layout.failed
                    if job.phase == .failed, let failure = job.lastError {
                        try writeErrorReport(failure, job: job, to: folder + "/" + archived + ".error.json")
                    }
                    try FileSystem.move(input, to: folder + "/" + archived)
                }
            }
            try FileSystem.removeTree(layout.partialFolder(id))
            try FileSystem.removeTree(layout.jobs + "/" + id)
        } catch {
            log.error("archive", "job \(id): could not finish archiving (retried on the next start): \(error)", ["job": id])
        }
    }

    private func writeErrorReport(_ failure: JobFailure, job: JobState, to path: String) throws {
        let report: [String: Any] = [
            "file": job.source, "job": job.id, "stage": failure.stage, "message": failure.message,
            "class": failure.kind.rawValue, "time": Date(timeIntervalSince1970: failure.time).ISO8601Format(),
            "attempts": job.attempt,
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try FileSystem.writeAtomically(data + Data("\n".utf8), to: path)
    }

    func withPublishLock<T>(_ body: () throws -> T) rethrows -> T {
        let lock = try? FileLock(layout.publishLock, wait: true)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    /// Start-up: finish the effects of decided jobs, requeue interrupted ones (or blame the input once
    /// it has been interrupted `maxInterruptions` times), complete half-done claims.
    func recover() throws {
        for job in book.ordered {
            switch job.phase {
            case .succeeded, .failed:
                if FileSystem.exists(layout.jobs + "/" + job.id) { completeEffects(of: job.id) }
            case .running:
                book.markInterrupted(job.id)
                let interruptions = book[job.id]?.interruptions ?? 0
                if interruptions >= config.limits.maxInterruptions {
                    fail(job.id, .permanent(stage: "recovery", "the daemon died \(interruptions) times while processing it;"
                                            + " the input may be what makes it crash"))
                } else {
                    log.warning("interrupted", "job \(job.id) \(LogText.quoted(job.source)) was interrupted; it runs again",
                                ["job": job.id])
                }
            case .queued:
                try finishClaim(job)
            }
        }
        for stale in (try? FileSystem.names(in: layout.partial)) ?? [] {
            try FileSystem.removeTree(layout.partial + "/" + stale)
        }
    }

    /// Rewrites the journal to one snapshot per unfinished job plus recent history (a finished job
    /// whose effects are still pending is kept until they are done).
    func compactJournal() throws {
        let history = 50
        let finished = book.ordered.filter { $0.isFinished && !FileSystem.exists(layout.jobs + "/" + $0.id) }
        for old in finished.dropLast(history) { book.forget(old.id) }
        recordsSinceCompaction = 0
        var sequence = JournalRecord(.sequence)
        sequence.next = book.nextSequence
        try journal.rewrite([sequence] + book.ordered.map(\.snapshot))
    }

    static func stem(_ name: String) -> String {
        let ext = (name as NSString).pathExtension
        return ext.isEmpty || ext.count == name.count - 1 ? name : String(name.dropLast(ext.count + 1))
    }
}
