import Foundation

/// `pivot cleanup`: prunes old outputs and archived inputs. It only ever looks at the outbox's
/// published folders, done/ and failed/ — never at the inbox, `jobs/` (claimed inputs, jobs in
/// progress) or the outbox's `.pivot-partial/` — and holds the publish lock while it works, so it
/// can run from cron while the daemon runs.
public struct Cleanup {
    public struct Item: Codable, Sendable {
        /// Paths removed together (a failed input and its `.error.json`).
        public var paths: [String]
        public var bytes: Int64
        /// Seconds since the item last changed (published or archived).
        public var age: Double
        public var reason: String
    }

    public var olderThan: Double?
    public var maxTotalBytes: Int64?

    public init(olderThan: Double?, maxTotalBytes: Int64?) {
        self.olderThan = olderThan
        self.maxTotalBytes = maxTotalBytes
    }

    /// Finds what to remove and, unless `dryRun`, removes it; calls `log` for each item.
    public func run(_ config: WatchConfig, dryRun: Bool, log: (Item) -> Void) throws -> [Item] {
        let layout = StateLayout(state: config.state, outbox: config.outbox)
        guard FileSystem.kind(layout.state) == .directory else {
            throw ConfigError(description: "state folder \(LogText.quoted(layout.state)) does not exist")
        }
        let lock = try FileLock(layout.publishLock, wait: true)
        defer { withExtendedLifetime(lock) {} }
        let now = Date().timeIntervalSince1970
        var candidates = try items(layout, now: now).sorted { $0.age > $1.age }
        var chosen: [Item] = []
        if let olderThan {
            chosen = candidates.filter { $0.age > olderThan }.map { var i = $0; i.reason = "older than \(Int(olderThan)) s"; return i }
            candidates.removeAll { $0.age > olderThan }
        }
        if let maxTotalBytes {
            var total = candidates.reduce(Int64(0)) { $0 + $1.bytes }
            for item in candidates where total > maxTotalBytes {
                var item = item
                item.reason = "total size over \(maxTotalBytes) bytes"
                chosen.append(item)
                total -= item.bytes
            }
        }
        for item in chosen {
            if !dryRun { for path in item.paths { try FileSystem.removeTree(path) } }
            log(item)
        }
        if !dryRun {
            for folder in [layout.outbox, layout.done, layout.failed] where FileSystem.exists(folder) {
                try FileSystem.syncFolder(folder)
            }
        }
        return chosen
    }

    private func items(_ layout: StateLayout, now: Double) throws -> [Item] {
        var items: [Item] = []
        func names(_ folder: String) throws -> [String] {
            FileSystem.exists(folder) ? try FileSystem.names(in: folder) : []
        }
        func add(_ paths: [String]) {
            let changed = paths.compactMap(FileSystem.lastChange).max() ?? now
            items.append(Item(paths: paths, bytes: paths.reduce(Int64(0)) { $0 + FileSystem.size($1) },
                              age: now - changed, reason: ""))
        }
        for name in try names(layout.outbox) where !name.hasPrefix(".") {
            add([layout.outbox + "/" + name])
        }
        for name in try names(layout.done) { add([layout.done + "/" + name]) }
        let failed = try names(layout.failed)
        for name in failed where !name.hasSuffix(".error.json") || !failed.contains(String(name.dropLast(11))) {
            let report = name + ".error.json"
            add([layout.failed + "/" + name] + (failed.contains(report) ? [layout.failed + "/" + report] : []))
        }
        return items
    }
}
