import Foundation

/// Running jobs: start the oldest eligible ones on threads of their own, and decide what a finished
/// run means (publish, retry later, requeue, or give up).
extension WatchDaemon {
    func startEligibleJobs() {
        guard !stopping else { return }
        let now = Date().timeIntervalSince1970
        for job in book.ordered where running.count < config.jobs {
            guard job.phase == .queued, running[job.id] == nil, (job.notBefore ?? 0) <= now else { continue }
            start(job)
        }
    }

    private func start(_ job: JobState) {
        let partial = layout.partialFolder(job.id)
        let input = layout.inputFolder(job.id) + "/" + job.name
        var record = JournalRecord(.started, id: job.id)
        record.attempt = job.attempt + 1
        guard journal(record, orElse: "job \(job.id) waits") else { return }
        do {
            try FileSystem.removeTree(partial)
            try FileSystem.makeFolder(partial)
            try FileSystem.makeFolder(layout.workFolder(job.id))
        } catch {
            finish(job.id, error: JobError.classify(error, stage: "prepare"))
            return
        }
        let mailbox = self.mailbox
        let id = job.id
        let reporter = JobProgressReporter(stepDelay: debugStepDelay) { mailbox.post(.progress(id: id, $0)) }
        running[id] = reporter
        progressDirty = true
        let work = Job(id: id, name: job.name, input: URL(fileURLWithPath: input),
                       outputFolder: URL(fileURLWithPath: partial), workFolder: URL(fileURLWithPath: layout.workFolder(id)),
                       attempt: job.attempt + 1)
        let processor = self.processor
        log.info("started", "job \(id) \(LogText.quoted(job.source)): attempt \(work.attempt)", ["job": id, "file": job.source])
        let thread = Thread {
            var failure: JobError?
            do {
                try processor.process(work, progress: reporter)
                guard try !FileSystem.names(in: partial).isEmpty else {
                    throw JobError.permanent(stage: reporter.stage, "the processor wrote no output")
                }
                try FileSystem.syncTree(partial)
            } catch {
                failure = JobError.classify(error, stage: reporter.stage.isEmpty ? "process" : reporter.stage)
            }
            mailbox.post(.finished(id: id, failure))
        }
        thread.name = "job \(id)"
        thread.start()
    }

    /// The end of a run: `error` is nil for success.
    func finish(_ id: String, error: JobError?) {
        running[id] = nil
        if progress.removeValue(forKey: id) != nil { progressDirty = true }
        guard let job = book[id] else { return }
        guard let error else { publish(id); return }
        switch error.kind {
        case .interrupted:
            journalOrLog(JournalRecord(.requeued, id: id))
            log.info("requeued", "job \(id) \(LogText.quoted(job.source)) stopped in \(error.stage); it runs again on the next start",
                     ["job": id, "stage": error.stage])
        case .transient where job.transientFailures + 1 < config.limits.maxAttempts:
            let delay = min(config.limits.retryBaseSeconds * pow(2, Double(job.transientFailures)), config.limits.retryMaxSeconds)
            var record = JournalRecord(.retry, id: id)
            record.notBefore = Date().timeIntervalSince1970 + delay
            (record.stage, record.message, record.kind) = (error.stage, error.message, error.kind)
            journalOrLog(record)
            try? FileSystem.removeTree(layout.partialFolder(id))
            log.warning("retry", "job \(id) \(LogText.quoted(job.source)) failed for now in \(error.stage): \(error.message);"
                        + " retrying in \(Int(delay.rounded(.up))) s", ["job": id, "stage": error.stage, "class": "transient"])
        case .transient:
            fail(id, JobError(.transient, stage: error.stage,
                              error.message + " (gave up after \(config.limits.maxAttempts) attempts)"))
        case .permanent:
            fail(id, error)
        }
    }

    /// Journals `record`, then applies it to the book. When the journal cannot be written, logs
    /// `orElse` (what happens instead) and returns false without applying.
    @discardableResult
    func journal(_ record: JournalRecord, orElse consequence: String) -> Bool {
        do {
            try journal.append(record)
        } catch {
            log.error("journal", "cannot write the journal (\(error)); \(consequence)")
            return false
        }
        book.apply(record)
        recordsSinceCompaction += 1
        return true
    }

    /// Journals a decision that the daemon acts on whether or not it reached the disk (a lost record
    /// only means recovery redoes the work).
    func journalOrLog(_ record: JournalRecord) {
        if !journal(record, orElse: "continuing; the next start redoes this step") { book.apply(record) }
    }
}

extension JobProgressReporter {
    /// The stage last reported (failures are attributed to it).
    var stage: String { lastReported?.stage ?? "" }
}
