import Foundation

/// The few file operations the daemon needs, as throwing wrappers around the system calls, plus the
/// fsync discipline that makes them durable: a rename is only durable once its folder is fsynced.
public enum FileSystem {
    public enum Kind: Equatable, Sendable { case missing, regular, directory, symlink, other }

    /// What is at `path`, without following a final symbolic link.
    public static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    public static func status(_ path: String) throws -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileSystemError("stat", path) }
        return info
    }

    public static func exists(_ path: String) -> Bool { kind(path) != .missing }

    /// mkdir -p, with each new folder made durable in its parent.
    public static func makeFolder(_ path: String) throws {
        if kind(path) == .directory { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw FileSystemError("create folder", path) }
        try syncFolder(parent.isEmpty ? "." : parent)
    }

    /// fsync of a folder: makes the creation, rename or removal of its entries durable.
    public static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError("open folder", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError("fsync", path) }
    }

    /// fsync of a file or, recursively, of a folder and everything in it.
    public static func syncTree(_ path: String) throws {
        if kind(path) == .directory {
            for name in try names(in: path) { try syncTree(path + "/" + name) }
            try syncFolder(path)
        } else if kind(path) == .regular {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileSystemError("open", path) }
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw FileSystemError("fsync", path) }
        }
    }

    /// Atomic rename within one file system; both folders are fsynced afterwards.
    public static func move(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw FileSystemError("move to \(LogText.quoted(to))", from) }
        let source = (from as NSString).deletingLastPathComponent
        let target = (to as NSString).deletingLastPathComponent
        try syncFolder(target)
        if source != target { try syncFolder(source) }
    }

    /// Moves a file that may live on another file system: rename when possible, otherwise copy to a
    /// temporary name beside the target, fsync, rename into place, and only then unlink the source.
    public static func moveAcrossDevices(_ from: String, to: String) throws {
        if rename(from, to) == 0 {
            try syncFolder((to as NSString).deletingLastPathComponent)
            try syncFolder((from as NSString).deletingLastPathComponent)
            return
        }
        guard errno == EXDEV else { throw FileSystemError("move to \(LogText.quoted(to))", from) }
        let temporary = to + ".pivot-copy"
        try copyFile(from, to: temporary)
        try move(temporary, to: to)
        guard unlink(from) == 0 else { throw FileSystemError("remove", from) }
        try syncFolder((from as NSString).deletingLastPathComponent)
    }

    /// Copies a regular file's bytes and fsyncs the copy.
    public static func copyFile(_ from: String, to: String) throws {
        let input = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw FileSystemError("open", from) }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw FileSystemError("create", to) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileSystemError("read", from) }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<count]), path: to) }
        }
        guard fsync(output) == 0 else { throw FileSystemError("fsync", to) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw FileSystemError("write", path, code: written == 0 ? ENOSPC : errno) }
            offset += written
        }
    }

    /// Writes `data` to `path` atomically: a temporary name in the same folder, fsync, rename, fsync.
    public static func writeAtomically(_ data: Data, to path: String, durable: Bool = true) throws {
        let temporary = path + ".pivot-tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError("create", temporary) }
        do {
            try data.withUnsafeBytes { try writeAll(fd, $0, path: temporary) }
            if durable && fsync(fd) != 0 { throw FileSystemError("fsync", temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = FileSystemError("rename", temporary)
            unlink(temporary)
            throw failure
        }
        if durable { try syncFolder((path as NSString).deletingLastPathComponent) }
    }

    /// The entries of a folder (without "." and ".."), sorted so that scans are reproducible.
    public static func names(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    /// rm -rf; a missing path is not an error.
    public static func removeTree(_ path: String) throws {
        switch kind(path) {
        case .missing: return
        case .directory:
            for name in try names(in: path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw FileSystemError("remove folder", path) }
        default:
            guard unlink(path) == 0 || errno == ENOENT else { throw FileSystemError("remove", path) }
        }
    }

    /// Total bytes of a file or of everything inside a folder (symbolic links count as themselves).
    public static func size(_ path: String) -> Int64 {
        guard let info = try? status(path) else { return 0 }
        guard info.st_mode & S_IFMT == S_IFDIR else { return Int64(info.st_size) }
        let inside = (try? names(in: path)) ?? []
        return inside.reduce(Int64(0)) { $0 + size(path + "/" + $1) }
    }

    /// Seconds since the epoch of the later of mtime and ctime (a rename updates ctime, so a file
    /// moved into done/ counts as new even when its contents are old).
    public static func lastChange(_ path: String) -> Double? {
        guard let info = try? status(path) else { return nil }
        let m = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9
        let c = Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) * 1e-9
        return max(m, c)
    }

    /// The newest modification time anywhere inside a tree (used to wait until a folder settles).
    public static func newestChange(_ path: String) -> Double {
        var newest = lastChange(path) ?? 0
        if kind(path) == .directory {
            for name in (try? names(in: path)) ?? [] { newest = max(newest, newestChange(path + "/" + name)) }
        }
        return newest
    }

    /// `folder/name` if free, else `folder/stem-2.ext`, `folder/stem-3.ext`, ... `alsoFree` lists
    /// extra names that must be avoided (e.g. a companion `.error.json`).
    public static func freeName(_ name: String, in folder: String, keepExtension: Bool = true,
                                alsoFree: (String) -> [String] = { _ in [] }) -> String {
        let ext = keepExtension ? (name as NSString).pathExtension : ""
        let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        var candidate = name
        var n = 1
        while ([candidate] + alsoFree(candidate)).contains(where: { exists(folder + "/" + $0) }) {
            n += 1
            candidate = ext.isEmpty ? "\(stem)-\(n)" : "\(stem)-\(n).\(ext)"
        }
        return candidate
    }
}
