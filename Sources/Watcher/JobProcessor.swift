import Foundation

/// One unit of work handed to a `JobProcessor`: a claimed input and the folders the job may write.
public struct Job: Sendable {
    /// The daemon's job id (also the name of its folders under the state folder).
    public let id: String
    /// The file name as it was dropped into the inbox.
    public let name: String
    /// The claimed input file (a regular file, already checked against the size limit).
    public let input: URL
    /// A private, empty folder on the outbox's file system. Everything written here is published to
    /// the outbox as one folder, atomically, when `process` returns; it is wiped before every attempt.
    public let outputFolder: URL
    /// A private folder that survives restarts and retries (checkpoints of long stages go here).
    public let workFolder: URL
    /// 1 for the first run, then 2, 3, ... after transient failures or interruptions.
    public let attempt: Int
}

/// What the daemon runs for each job. The CLI injects the best processing available; tests may inject
/// their own. Implementations throw `JobError` (anything else is classified by `JobError.classify`).
public protocol JobProcessor: Sendable {
    func process(_ job: Job, progress: JobProgressReporter) throws
}

/// Progress of a running job, as `pivot status` shows it.
public struct JobProgress: Codable, Sendable, Equatable {
    public var stage: String
    public var step: Int
    public var steps: Int
    /// Estimated seconds until the current stage ends (nil before the first step has been timed).
    public var etaSeconds: Double?
    public var startedAt: Double
}

/// Handed to a processor: report progress, and notice when the daemon is asked to stop.
public final class JobProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private var stageName = ""
    private var stageStart = Date()
    private var stopFlag = false
    private var latest: JobProgress?
    private let sink: @Sendable (JobProgress) -> Void
    private let jobStart = Date()
    private let stepDelay: Double

    /// `stepDelay` (seconds) slows every reported step down: a debugging aid that lets tests stop the
    /// daemon in the middle of a job.
    public init(stepDelay: Double = 0, sink: @escaping @Sendable (JobProgress) -> Void) {
        self.stepDelay = stepDelay
        self.sink = sink
    }

    /// Reports that `step` of `steps` steps of `stage` are done. The ETA extrapolates the stage's
    /// average step time unless the processor knows better and passes `eta`.
    public func report(stage: String, step: Int, of steps: Int, eta: Double? = nil) {
        let now = Date()
        lock.lock()
        if stage != stageName { stageName = stage; stageStart = now }
        let elapsed = now.timeIntervalSince(stageStart)
        lock.unlock()
        let estimated = step > 0 && steps >= step ? elapsed / Double(step) * Double(steps - step) : nil
        let progress = JobProgress(stage: stage, step: step, steps: steps, etaSeconds: eta ?? estimated,
                                   startedAt: jobStart.timeIntervalSince1970)
        lock.lock()
        latest = progress
        lock.unlock()
        sink(progress)
        if stepDelay > 0 { Thread.sleep(forTimeInterval: stepDelay) }
    }

    /// The last progress reported, if any.
    var lastReported: JobProgress? {
        lock.lock(); defer { lock.unlock() }
        return latest
    }

    /// True once the daemon has been told to stop (SIGTERM/SIGINT). A processor should finish or
    /// checkpoint its current step, then throw `JobError.interrupted(stage:)`.
    public var stopRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopFlag
    }

    func requestStop() {
        lock.lock(); stopFlag = true; lock.unlock()
    }
}
