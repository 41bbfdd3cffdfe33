import Foundation

/// The jobs the journal knows about, rebuilt by replaying its records in order.
public struct JobBook: Sendable {
    public private(set) var jobs: [String: JobState] = [:]
    /// The number the next job gets.
    public private(set) var nextSequence = 1

    public init() {}

    /// Job ids in the order they were queued.
    public var ordered: [JobState] { jobs.values.sorted { $0.id < $1.id } }

    public subscript(id: String) -> JobState? { jobs[id] }

    /// A new, never used job id. Ids sort in queue order.
    public mutating func allocateID() -> String {
        defer { nextSequence += 1 }
        return String(format: "%08d", nextSequence)
    }

    /// Applies one record. Records about unknown jobs are ignored (their `queued` record was compacted away).
    public mutating func apply(_ record: JournalRecord) {
        if record.op == .sequence {
            nextSequence = max(nextSequence, record.next ?? 1)
            return
        }
        guard let id = record.id else { return }
        if let number = Int(id) { nextSequence = max(nextSequence, number + 1) }
        if record.op == .queued {
            jobs[id] = JobState(id: id, name: record.name ?? id, source: record.source ?? record.name ?? id,
                                queuedAt: record.time)
            return
        }
        if record.op == .snapshot, let snapshot = JobState(snapshot: record) {
            jobs[id] = snapshot
            return
        }
        guard var job = jobs[id] else { return }
        switch record.op {
        case .started:
            if job.phase == .running { job.interruptions += 1 }
            job.phase = .running
            job.attempt = record.attempt ?? job.attempt + 1
            job.notBefore = nil
        case .retry:
            job.phase = .queued
            job.transientFailures += 1
            job.notBefore = record.notBefore
            job.lastError = JobFailure(record: record)
        case .requeued:
            job.phase = .queued
        case .succeeded:
            job.phase = .succeeded
            job.outputs = record.outputs
            job.archived = record.archived
            job.finishedAt = record.time
        case .failed:
            job.phase = .failed
            job.archived = record.archived
            job.lastError = JobFailure(record: record)
            job.finishedAt = record.time
        case .sequence, .queued, .snapshot:
            break
        }
        jobs[id] = job
    }

    /// Marks a job that was running when the daemon died as interrupted (recovery only).
    public mutating func markInterrupted(_ id: String) {
        guard var job = jobs[id], job.phase == .running else { return }
        job.phase = .queued
        job.interruptions += 1
        jobs[id] = job
    }

    /// Forgets a job whose effects are complete (compaction keeps only recent history).
    public mutating func forget(_ id: String) { jobs[id] = nil }
}

extension JobFailure {
    init?(record: JournalRecord) {
        guard let stage = record.stage, let message = record.message else { return nil }
        self.init(stage: stage, message: message, kind: record.kind ?? .permanent, time: record.time)
    }
}

extension JobState {
    /// The snapshot record that recreates this state (compaction).
    var snapshot: JournalRecord {
        var r = JournalRecord(.snapshot, id: id, time: finishedAt ?? queuedAt)
        r.name = name
        r.source = source
        r.queuedAt = queuedAt
        r.phase = phase
        r.attempt = attempt
        r.interruptions = interruptions
        r.notBefore = notBefore
        r.stage = lastError?.stage
        r.message = lastError?.message
        r.kind = lastError?.kind
        r.outputs = outputs
        r.archived = archived
        r.transientFailures = transientFailures
        return r
    }

    init?(snapshot r: JournalRecord) {
        guard let id = r.id, let name = r.name, let phase = r.phase else { return nil }
        self.init(id: id, name: name, source: r.source ?? name, queuedAt: r.queuedAt ?? r.time)
        self.phase = phase
        attempt = r.attempt ?? 0
        interruptions = r.interruptions ?? 0
        transientFailures = r.transientFailures ?? 0
        notBefore = r.notBefore
        lastError = JobFailure(record: r)
        outputs = r.outputs
        archived = r.archived
        finishedAt = isFinished ? r.time : nil
    }
}
