import Foundation

/// Where the daemon keeps things. Everything under `state` belongs to the daemon; the only thing it
/// writes in the outbox besides finished output folders is `.pivot-partial/`, where jobs build them.
public struct StateLayout: Sendable {
    public let state: String
    public let outbox: String

    public init(state: String, outbox: String) {
        self.state = state
        self.outbox = outbox
    }

    public var journal: String { state + "/journal.jsonl" }
    /// Held (flock) by the running daemon for its whole life; holds its pid.
    public var daemonLock: String { state + "/daemon.lock" }
    /// Held by the daemon while it publishes a job and by `pivot cleanup` while it prunes.
    public var publishLock: String { state + "/publish.lock" }
    /// Live progress of running jobs, rewritten as they report (advisory, not fsynced).
    public var progress: String { state + "/progress.json" }
    public var jobs: String { state + "/jobs" }
    public var done: String { state + "/done" }
    public var failed: String { state + "/failed" }
    public var partial: String { outbox + "/.pivot-partial" }

    /// A claimed input lives in `jobs/<id>/input/<name>` until it is moved to done/ or failed/.
    public func inputFolder(_ id: String) -> String { jobs + "/" + id + "/input" }
    public func workFolder(_ id: String) -> String { jobs + "/" + id + "/work" }
    public func partialFolder(_ id: String) -> String { partial + "/" + id }

    public func createFolders() throws {
        for folder in [state, jobs, done, failed, outbox, partial] { try FileSystem.makeFolder(folder) }
    }
}
