import Foundation

/// What the journal says about one job.
public struct JobState: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable {
        case queued, running, succeeded, failed
    }

    public var id: String
    /// File name as dropped.
    public var name: String
    /// Path relative to the inbox (differs from `name` in recursive mode).
    public var source: String
    public var queuedAt: Double
    public var phase: Phase = .queued
    /// Runs started so far.
    public var attempt = 0
    /// Transient failures so far.
    public var transientFailures = 0
    /// Runs cut short by a crash or kill -9 (not by SIGTERM).
    public var interruptions = 0
    /// Earliest time of the next run after a transient failure.
    public var notBefore: Double?
    public var lastError: JobFailure?
    /// Outbox folder name (succeeded) and archived input name in done/ or failed/.
    public var outputs: String?
    public var archived: String?
    public var finishedAt: Double?

    public var isFinished: Bool { phase == .succeeded || phase == .failed }
}

/// Why a job failed, as written to `failed/<name>.error.json` and shown by `pivot status`.
public struct JobFailure: Codable, Sendable, Equatable {
    public var stage: String
    public var message: String
    public var kind: JobError.Kind
    public var time: Double
}
