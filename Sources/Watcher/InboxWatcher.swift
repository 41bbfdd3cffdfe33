import CInotifyTools
import Foundation

/// What the inbox watcher reports.
enum InboxEvent: Sendable {
    /// A file was closed after writing or moved in: it is complete.
    case fileCompleted(String)
    /// Something that is not written (a symbolic link, a folder in non-recursive mode) appeared and
    /// must settle before it is taken.
    case appeared(String)
    /// A folder appeared in recursive mode and is now watched; its contents need a scan.
    case folderWatched(String)
    /// The kernel dropped events: rescan everything.
    case overflow
    /// The inbox itself was deleted or moved away.
    case inboxGone
}

/// inotify on the inbox through libinotifytools (process-wide state: one watcher per process).
/// The watch is set up in `init`, before the caller scans, so nothing dropped in between is missed.
final class InboxWatcher: @unchecked Sendable {
    let root: String
    let recursive: Bool
    private static let events = Int32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)

    init(root: String, recursive: Bool) throws {
        self.root = root
        self.recursive = recursive
        guard inotifytools_initialize() != 0 else {
            throw FileSystemError("inotify init", root, code: Int32(inotifytools_error()))
        }
        let ok = recursive ? inotifytools_watch_recursively(root, Self.events) : inotifytools_watch_file(root, Self.events)
        guard ok != 0 else { throw FileSystemError("watch", root, code: Int32(inotifytools_error())) }
    }

    /// Reads events forever on a thread of its own, posting them to `post`.
    func start(_ post: @escaping @Sendable (InboxEvent) -> Void) {
        let thread = Thread { [self] in
            while true {
                guard let event = inotifytools_next_event(-1) else {
                    let code = inotifytools_error()
                    if code == EINTR || code == 0 { continue }
                    post(.inboxGone)
                    return
                }
                handle(event, post)
            }
        }
        thread.name = "inotify"
        thread.start()
    }

    private func handle(_ event: UnsafeMutablePointer<inotify_event>, _ post: (InboxEvent) -> Void) {
        let mask = Int32(bitPattern: event.pointee.mask)
        if mask & Int32(IN_Q_OVERFLOW) != 0 { post(.overflow); return }
        let folder = inotifytools_filename_from_wd(event.pointee.wd).map { String(cString: $0) } ?? ""
        if mask & Int32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            if folder.trimmingSuffix("/") == root.trimmingSuffix("/") { post(.inboxGone) }
            return
        }
        guard event.pointee.len > 0 else { return }
        let name = UnsafeRawPointer(event).advanced(by: MemoryLayout<inotify_event>.size)
            .assumingMemoryBound(to: CChar.self)
        let path = folder.trimmingSuffix("/") + "/" + String(cString: name)
        let isFolder = mask & Int32(IN_ISDIR) != 0
        if isFolder && recursive {
            guard mask & Int32(IN_CREATE | IN_MOVED_TO) != 0 else { return }
            if inotifytools_watch_recursively(path, Self.events) != 0 { post(.folderWatched(path)) }
        } else if isFolder {
            post(.appeared(path))
        } else if mask & Int32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
            post(.fileCompleted(path))
        } else if FileSystem.kind(path) == .symlink || FileSystem.kind(path) == .other {
            // A created regular file is reported again by IN_CLOSE_WRITE once written; links and fifos are not.
            post(.appeared(path))
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.count > 1 && s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
