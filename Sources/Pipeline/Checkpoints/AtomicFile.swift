import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file under a temporary name in the destination folder, then renames it into place, so readers
/// never see a half-written file and a failed write leaves nothing behind.
struct AtomicFile {
    private let descriptor: Int32
    let path: String

    static func write(to path: String, _ body: (inout AtomicFile) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\(base).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CheckpointError(.io, file: path, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var file = AtomicFile(descriptor: descriptor, path: path)
        do {
            try body(&file)
            guard fsync(descriptor) == 0 else { throw file.failure("cannot sync") }
            guard close(descriptor) == 0 else { throw file.failure("cannot close") }
            guard rename(temporary, path) == 0 else { throw file.failure("cannot rename into place") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
    }

    private func failure(_ what: String) -> CheckpointError {
        CheckpointError(.io, file: path, "\(what): \(String(cString: strerror(errno)))")
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw failure("cannot write") }
            done += written
        }
    }

    mutating func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }
}
