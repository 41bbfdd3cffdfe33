import Foundation

/// `pivot watch`: takes every complete file dropped into the inbox, runs the injected processor on it,
/// publishes the outputs to the outbox atomically and archives the input in done/ or failed/.
///
/// One thread (the caller's) owns all state and runs the event loop; the inotify thread, the signal
/// thread and one thread per running job only post messages to it. Every decision is written to the
/// journal before it is acted on, so a kill -9 at any moment is recovered on the next start.
public final class WatchDaemon {
    public typealias ConfigLoader = @Sendable () throws -> WatchConfig
    public typealias ProcessorFactory = @Sendable (WatchConfig) throws -> any JobProcessor

    enum Message: Sendable {
        case inbox(InboxEvent)
        case signal(Int32)
        case progress(id: String, JobProgress)
        case finished(id: String, JobError?)
    }

    let loadConfig: ConfigLoader
    let makeProcessor: ProcessorFactory
    let log: Logger
    var config: WatchConfig
    var processor: any JobProcessor
    let layout: StateLayout
    /// Absolute, symlink-free path of the inbox.
    let inbox: String
    let mailbox = Mailbox<Message>()

    var journal: Journal!
    var book = JobBook()
    /// Running jobs and the reporter through which they learn about a stop request.
    var running: [String: JobProgressReporter] = [:]
    var progress: [String: JobProgress] = [:]
    var progressDirty = false
    var progressWrittenAt = Date.distantPast
    /// Paths seen but not yet safe to take, with the time to look at them again.
    var settling: [String: Date] = [:]
    var stopping = false
    var exitStatus: Int32 = 0
    /// The journal is compacted at start-up and whenever this many records have been appended since.
    var recordsSinceCompaction = 0
    static let compactionInterval = 20_000
    let debugStepDelay: Double

    /// Builds the daemon from the config `loadConfig` returns (it is called again on SIGHUP).
    /// `debugStepDelay` sleeps after every progress report (tests use it to catch a job mid-way).
    public init(loadConfig: @escaping ConfigLoader, makeProcessor: @escaping ProcessorFactory, log: Logger,
                debugStepDelay: Double = 0) throws {
        self.loadConfig = loadConfig
        self.debugStepDelay = debugStepDelay
        self.makeProcessor = makeProcessor
        self.log = log
        config = try loadConfig()
        try config.validate()
        processor = try makeProcessor(config)
        layout = StateLayout(state: Self.absolute(config.state), outbox: Self.absolute(config.outbox))
        try FileSystem.makeFolder(Self.absolute(config.inbox))
        inbox = Self.absolute(config.inbox).resolvingSymlinksInPath
    }

    /// Runs until SIGTERM/SIGINT (returns 0 once running jobs have finished or checkpointed) or until
    /// the inbox disappears (returns 1). Throws when it cannot start (state folder locked, unwritable).
    public func run() throws -> Int32 {
        SignalListener.blockSignals()
        try layout.createFolders()
        let lock = try FileLock(layout.daemonLock, wait: false)
        lock.writeHolder()
        journal = try Journal(path: layout.journal)
        book = try Journal.replay(layout.journal)
        try recover()
        try compactJournal()
        let watcher = try InboxWatcher(root: inbox, recursive: config.recursive)
        let mailbox = self.mailbox
        watcher.start { mailbox.post(.inbox($0)) }
        SignalListener.start { mailbox.post(.signal($0)) }
        log.info("ready", "watching \(LogText.quoted(inbox)) -> \(LogText.quoted(layout.outbox)) "
                 + "(state \(LogText.quoted(layout.state)), \(config.jobs) job(s) at a time, pid \(getpid()))",
                 ["inbox": inbox, "outbox": layout.outbox, "state": layout.state])
        scan(inbox)
        while !(stopping && running.isEmpty) {
            startEligibleJobs()
            if stopping && running.isEmpty { break }
            if let message = mailbox.next(before: nextWakeUp()) { handle(message) }
            recheckSettling()
            writeProgressIfDue()
            if recordsSinceCompaction >= Self.compactionInterval {
                do { try compactJournal() } catch { log.error("journal", "cannot compact the journal: \(error)") }
            }
        }
        progress = [:]
        writeProgress()
        log.info("stopped", "stopped; \(book.ordered.filter { !$0.isFinished }.count) job(s) left in the queue")
        withExtendedLifetime(lock) {}
        return exitStatus
    }

    private func handle(_ message: Message) {
        switch message {
        case .inbox(let event): handle(event)
        case .signal(let signal): handle(signal: signal)
        case .progress(let id, let update):
            if running[id] != nil { progress[id] = update; progressDirty = true }
        case .finished(let id, let error): finish(id, error: error)
        }
    }

    private func handle(_ event: InboxEvent) {
        switch event {
        case .fileCompleted(let path): take(path, announced: true)
        case .appeared(let path): take(path, announced: false)
        case .folderWatched(let path): scan(path)
        case .overflow:
            log.warning("overflow", "inotify queue overflowed; rescanning the inbox")
            scan(inbox)
        case .inboxGone:
            log.error("inbox-gone", "the inbox \(LogText.quoted(inbox)) was deleted or moved; stopping")
            exitStatus = 1
            requestStop()
        }
    }

    private func handle(signal: Int32) {
        if signal == SIGHUP { reloadConfig(); return }
        if stopping {
            log.warning("stop-now", "second stop signal: exiting now; running jobs run again on the next start")
            exit(0)
        }
        log.info("stopping", "signal \(signal): taking no new work; waiting for \(running.count) running job(s)"
                 + " to finish or checkpoint their current step")
        requestStop()
    }

    private func requestStop() {
        stopping = true
        for reporter in running.values { reporter.requestStop() }
    }

    private func reloadConfig() {
        do {
            var fresh = try loadConfig()
            try fresh.validate()
            for (name, changed) in [("inbox", fresh.inbox != config.inbox), ("outbox", fresh.outbox != config.outbox),
                                    ("state", fresh.state != config.state), ("recursive", fresh.recursive != config.recursive),
                                    ("jsonLog", fresh.jsonLog != config.jsonLog)] where changed {
                log.warning("reload", "\(name) changed in the config; that takes effect after a restart")
            }
            (fresh.inbox, fresh.outbox, fresh.state) = (config.inbox, config.outbox, config.state)
            (fresh.recursive, fresh.jsonLog) = (config.recursive, config.jsonLog)
            processor = try makeProcessor(fresh)
            config = fresh
            log.info("reload", "reloaded the config (\(config.jobs) job(s) at a time)")
        } catch {
            log.error("reload", "could not reload the config, keeping the old one: \(error)")
        }
    }

    /// The earliest moment something must happen without a message: a settle check, a retry, a
    /// progress write.
    private func nextWakeUp() -> Date? {
        var times = Array(settling.values)
        if !stopping && running.count < config.jobs {
            times += book.jobs.values.compactMap { job in
                job.phase == .queued ? job.notBefore.map(Date.init(timeIntervalSince1970:)) : nil
            }
        }
        if progressDirty { times.append(progressWrittenAt + 0.5) }
        return times.min()
    }

    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }
}

extension String {
    var resolvingSymlinksInPath: String { URL(fileURLWithPath: self).resolvingSymlinksInPath().path }
}
