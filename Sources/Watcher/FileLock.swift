import Foundation

/// An advisory lock (flock) on a file in the state folder. The kernel drops it when the process dies,
/// so a kill -9 never leaves a stale lock behind.
public final class FileLock {
    public let path: String
    private let fd: Int32

    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String { "\(LogText.quoted(path)) is locked by \(holder)" }
    }

    /// Takes the lock exclusively. `wait: false` throws `Busy` instead of waiting for the holder.
    public init(_ path: String, wait: Bool) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError("open lock", path) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            let code = errno
            let holder = FileLock.holder(path)
            close(fd)
            if code == EWOULDBLOCK { throw Busy(path: path, holder: holder) }
            throw FileSystemError("lock", path, code: code)
        }
    }

    deinit { close(fd) }

    /// Records the holder (this process) in the lock file, for error messages and `pivot status`.
    public func writeHolder() {
        let text = "pid \(getpid())\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Whether some process holds the lock at `path` right now (without taking it).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    static func holder(_ path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "another process" : text
    }
}
