import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Read-only bytes that tensors point into: a memory-mapped file, or an owned copy. Tensors keep their buffer
/// alive, so a checkpoint's data is never copied until it is converted to `Float`s.
public final class ByteBuffer: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let release: (UnsafeRawBufferPointer) -> Void

    private init(bytes: UnsafeRawBufferPointer, release: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.bytes = bytes
        self.release = release
    }

    deinit { release(bytes) }

    public var count: Int { bytes.count }

    /// A private copy of `data` (used for in-memory parsing and for tensors Pivot creates).
    public static func copying(_ data: [UInt8]) -> ByteBuffer {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        data.withUnsafeBytes { memory.copyMemory(from: $0) }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: memory.baseAddress, count: data.count)) { _ in
            memory.deallocate()
        }
    }

    /// Maps `path` read-only. Pages are loaded on demand and shared with the page cache, so a large checkpoint
    /// costs no copy and no up-front read.
    public static func mapping(_ path: String) throws -> ByteBuffer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CheckpointError(.io, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw CheckpointError(.io, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw CheckpointError(.io, file: path, "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 { return copying([UInt8]()) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw CheckpointError(.io, file: path, "cannot map: \(String(cString: strerror(errno)))")
        }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: address, count: size)) { mapped in
            munmap(UnsafeMutableRawPointer(mutating: mapped.baseAddress), mapped.count)
        }
    }
}

/// A byte range of a `ByteBuffer` (a pickled `bytes` object, a storage, a zip entry).
public struct ByteSlice {
    public let buffer: ByteBuffer
    public let range: Range<Int>

    public init(_ buffer: ByteBuffer, _ range: Range<Int>) {
        self.buffer = buffer
        self.range = range
    }

    public init(copying data: [UInt8]) {
        self.init(ByteBuffer.copying(data), 0..<data.count)
    }

    public var count: Int { range.count }
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer.bytes[range]) }
}
