import Foundation

/// Taking files out of the inbox: scans, the settle wait for files inotify did not announce as
/// complete, and the claim (journal first, then a rename into the job's folder).
extension WatchDaemon {
    /// Takes everything waiting in `folder` (start-up, inotify overflow, a new folder in recursive mode).
    func scan(_ folder: String) {
        guard let names = try? FileSystem.names(in: folder) else {
            log.error("scan", "cannot list \(LogText.quoted(folder))")
            return
        }
        for name in names where !InboxNames.isIgnored(name) {
            let path = folder + "/" + name
            if FileSystem.kind(path) == .directory && config.recursive {
                scan(path)
            } else {
                take(path, announced: false)
            }
        }
    }

    /// `announced`: inotify reported the file closed after writing or moved in, so it is complete.
    /// Anything else (found by a scan, a folder) must first be unchanged for `settleSeconds`.
    func take(_ path: String, announced: Bool) {
        let relative = String(path.dropFirst(inbox.count + 1))
        guard path.hasPrefix(inbox + "/"), !relative.split(separator: "/").contains(where: { InboxNames.isIgnored(String($0)) })
        else { return }
        let kind = FileSystem.kind(path)
        if kind == .missing { return }
        let quiet = Date().timeIntervalSince1970 - FileSystem.newestChange(path)
        if (!announced || kind == .directory) && kind != .symlink && quiet < config.limits.settleSeconds {
            settling[path] = Date() + (config.limits.settleSeconds - quiet)
            return
        }
        settling[path] = nil
        claim(path, relative: relative, rejection: rejection(path, kind: kind))
    }

    func recheckSettling() {
        let now = Date()
        for (path, time) in settling where time <= now {
            settling[path] = nil
            take(path, announced: false)
        }
    }

    /// Why an inbox entry cannot be processed at all, decided before it is moved (a relative symbolic
    /// link means something else once moved).
    private func rejection(_ path: String, kind: FileSystem.Kind) -> JobError? {
        let stage = "claim"
        switch kind {
        case .symlink:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            let resolved = path.resolvingSymlinksInPath
            let inside = resolved.hasPrefix(inbox + "/")
            return .permanent(stage: stage, "is a symbolic link to \(LogText.quoted(target))"
                              + (inside ? "; links are not followed, drop the file itself"
                                        : ", which is outside the inbox; links are not followed"))
        case .directory:
            return .permanent(stage: stage, "is a folder; start `pivot watch --recursive` to process folders")
        case .other:
            return .permanent(stage: stage, "is not a regular file (a fifo, socket or device)")
        case .regular, .missing:
            guard let info = try? FileSystem.status(path) else { return nil }
            if info.st_size == 0 { return .permanent(stage: stage, "is empty (0 bytes)") }
            if Int64(info.st_size) > config.limits.maxFileBytes {
                return .permanent(stage: stage, "is \(info.st_size) bytes, over the limit of \(config.limits.maxFileBytes) bytes")
            }
            return nil
        }
    }

    /// Journals a new job, then moves the entry into `jobs/<id>/input/`. A rejected entry is archived
    /// in failed/ at once.
    private func claim(_ path: String, relative: String, rejection: JobError?) {
        let name = (path as NSString).lastPathComponent
        let id = book.allocateID()
        var record = JournalRecord(.queued, id: id)
        record.name = name
        record.source = relative
        guard journal(record, orElse: "leaving \(LogText.quoted(relative)) in the inbox") else { return }
        do {
            try FileSystem.makeFolder(layout.inputFolder(id))
            try FileSystem.moveAcrossDevices(path, to: layout.inputFolder(id) + "/" + name)
        } catch {
            fail(id, .permanent(stage: "claim", "cannot take it out of the inbox: \(error)"))
            return
        }
        log.info("queued", "queued \(LogText.quoted(relative)) as job \(id)", ["job": id, "file": relative])
        if let rejection { fail(id, rejection) }
    }

    /// Recovery of a job journaled as queued whose input never reached its folder: finish the move.
    func finishClaim(_ job: JobState) throws {
        let input = layout.inputFolder(job.id) + "/" + job.name
        guard !FileSystem.exists(input) else { return }
        let source = inbox + "/" + job.source
        guard FileSystem.exists(source) else {
            fail(job.id, .permanent(stage: "claim", "vanished from the inbox before it was claimed"))
            return
        }
        try FileSystem.makeFolder(layout.inputFolder(job.id))
        try FileSystem.moveAcrossDevices(source, to: input)
    }
}
