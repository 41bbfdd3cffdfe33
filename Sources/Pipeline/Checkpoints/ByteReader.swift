import Foundation

/// A bounds-checked little-endian cursor over a `ByteSlice`. Every read past the end throws `.truncated`,
/// and offsets in errors are absolute positions in the file.
struct ByteReader {
    let slice: ByteSlice
    let file: String
    /// Absolute offset of the next byte to read.
    private(set) var position: Int

    init(_ slice: ByteSlice, file: String, at position: Int? = nil) {
        self.slice = slice
        self.file = file
        self.position = position ?? slice.range.lowerBound
    }

    var remaining: Int { slice.range.upperBound - position }
    var isAtEnd: Bool { remaining == 0 }

    func error(_ kind: CheckpointError.Kind, _ message: String, at offset: Int? = nil) -> CheckpointError {
        CheckpointError(kind, file: file, offset: offset ?? position, message)
    }

    /// Takes `count` bytes as a range of the underlying buffer (no copy).
    mutating func take(_ count: Int, what: String) throws -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw error(.truncated, "file ends inside \(what) (\(count) bytes needed, \(remaining) left)")
        }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func skip(_ count: Int, what: String) throws { _ = try take(count, what: what) }

    mutating func uint8(_ what: String) throws -> UInt8 {
        let range = try take(1, what: what)
        return slice.buffer.bytes[range.lowerBound]
    }

    mutating func littleEndian<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> T {
        let range = try take(MemoryLayout<T>.size, what: what)
        return T(littleEndian: slice.buffer.bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self))
    }

    mutating func bigEndianDouble(_ what: String) throws -> Double {
        let range = try take(8, what: what)
        let bits = UInt64(bigEndian: slice.buffer.bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: UInt64.self))
        return Double(bitPattern: bits)
    }

    /// A length field turned into an `Int`, refusing lengths larger than what is left of the input.
    mutating func length<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws -> Int {
        let start = position
        let value = try littleEndian(T.self, what)
        guard value >= 0, let count = Int(exactly: value), count <= remaining else {
            throw error(.truncated, "\(what) of \(value) bytes runs past the end (\(remaining) left)", at: start)
        }
        return count
    }

    /// Bytes up to (not including) the next newline, consuming the newline.
    mutating func line(_ what: String) throws -> Range<Int> {
        let bytes = slice.buffer.bytes
        var end = position
        while end < slice.range.upperBound && bytes[end] != 0x0A { end += 1 }
        guard end < slice.range.upperBound else { throw error(.truncated, "file ends inside \(what)") }
        defer { position = end + 1 }
        return position..<end
    }

    func string(_ range: Range<Int>) -> String? {
        String(bytes: UnsafeRawBufferPointer(rebasing: slice.buffer.bytes[range]), encoding: .utf8)
    }
}
