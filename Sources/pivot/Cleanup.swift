import ArgumentParser
import Foundation
import Watcher

/// `pivot cleanup`: cron-driven pruning of old outputs and archived inputs.
struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Remove old outputs and done/failed inputs (never inbox files or jobs in progress).",
        discussion: "Safe to run while `pivot watch` runs. Example crontab line: 17 3 * * * cd /srv/pivot && pivot cleanup --older-than 7d")

    @OptionGroup var folders: FolderOptions

    @Option(help: "Remove items last changed longer ago than this (e.g. 7d, 12h).")
    var olderThan: String?

    @Option(help: "Then remove the oldest items until outbox, done/ and failed/ together fit in this size (e.g. 10G).")
    var maxTotalSize: String?

    @Flag(help: "Only list what would be removed.")
    var dryRun = false

    func validate() throws {
        if olderThan == nil && maxTotalSize == nil {
            throw ValidationError("give --older-than and/or --max-total-size")
        }
    }

    func run() throws {
        let cleanup = Cleanup(olderThan: try olderThan.map(Quantity.seconds),
                              maxTotalBytes: try maxTotalSize.map(Quantity.bytes))
        let log = try Logger()
        var total: Int64 = 0
        let removed = try cleanup.run(try folders.resolve(), dryRun: dryRun) { item in
            total += item.bytes
            let names = item.paths.map(LogText.quoted).joined(separator: " and ")
            log.info(dryRun ? "would-remove" : "removed",
                     "\(dryRun ? "would remove" : "removed") \(names) (\(item.bytes) bytes, \(Int(item.age / 86400)) days old; \(item.reason))",
                     ["paths": item.paths.joined(separator: "\n"), "bytes": String(item.bytes)])
        }
        log.info("cleanup", "\(dryRun ? "would remove" : "removed") \(removed.count) item(s), \(total) bytes")
    }
}
