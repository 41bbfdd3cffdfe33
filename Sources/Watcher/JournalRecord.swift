import Foundation

/// One line of the job journal. Every state change of a job is one record; `succeeded` and `failed`
/// are written *before* their effects (publishing outputs, moving the input), so recovery can redo
/// the effects, which are idempotent.
public struct JournalRecord: Codable, Sendable, Equatable {
    public enum Operation: String, Codable, Sendable {
        /// Next job number (first line of a compacted journal).
        case sequence
        /// A file was seen in the inbox and is being claimed into `jobs/<id>/input/`.
        case queued
        /// A run of the job began.
        case started
        /// A transient failure: run again after `notBefore`.
        case retry
        /// Stopped on request (SIGTERM): run again, not counted as a failure.
        case requeued
        /// Outputs are complete: publish `outputs` to the outbox, archive the input as `done/<archived>`.
        case succeeded
        /// Give up: archive the input as `failed/<archived>` next to `<archived>.error.json`.
        case failed
        /// A whole job's state (compacted journals hold one per job still worth remembering).
        case snapshot
    }

    public var op: Operation
    public var id: String?
    public var time: Double
    public var next: Int?
    public var name: String?
    public var source: String?
    public var attempt: Int?
    public var interruptions: Int?
    public var transientFailures: Int?
    public var notBefore: Double?
    public var phase: JobState.Phase?
    public var stage: String?
    public var message: String?
    public var kind: JobError.Kind?
    public var outputs: String?
    public var archived: String?
    public var queuedAt: Double?

    public init(_ op: Operation, id: String? = nil, time: Double = Date().timeIntervalSince1970) {
        self.op = op
        self.id = id
        self.time = time
    }
}
