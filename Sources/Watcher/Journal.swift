import Foundation

/// The durable job journal: JSON lines appended with one write(2) each and fdatasync'ed before the
/// daemon acts on them. A torn last line (power loss mid-write) is dropped on reading.
public final class Journal {
    public let path: String
    private var fd: Int32

    /// Opens (creating if needed) the journal for appending, cutting off a torn last line first.
    public init(path: String) throws {
        self.path = path
        let (_, goodLength) = try Journal.read(path)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError("open journal", path) }
        if ftruncate(fd, off_t(goodLength)) != 0 { throw FileSystemError("truncate journal", path) }
        guard fdatasync(fd) == 0 else { throw FileSystemError("fsync journal", path) }
        try FileSystem.syncFolder((path as NSString).deletingLastPathComponent)
    }

    deinit { close(fd) }

    /// Appends one record and returns only once it is on disk.
    public func append(_ record: JournalRecord) throws {
        var line = try JSONEncoder.journal.encode(record)
        line.append(UInt8(ascii: "\n"))
        try line.withUnsafeBytes { try FileSystem.writeAll(fd, $0, path: path) }
        guard fdatasync(fd) == 0 else { throw FileSystemError("fsync journal", path) }
    }

    /// Replaces the journal by `records` (write a new file, fsync, rename over the old one).
    public func rewrite(_ records: [JournalRecord]) throws {
        var data = Data()
        for record in records {
            data.append(try JSONEncoder.journal.encode(record))
            data.append(UInt8(ascii: "\n"))
        }
        try FileSystem.writeAtomically(data, to: path)
        let reopened = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard reopened >= 0 else { throw FileSystemError("open journal", path) }
        close(fd)
        fd = reopened
    }

    /// Reads all complete records (a missing journal is empty). Returns the records and the byte
    /// length of the complete lines; an unreadable complete line is skipped, a torn last one dropped.
    public static func read(_ path: String) throws -> (records: [JournalRecord], goodLength: Int) {
        guard FileSystem.exists(path) else { return ([], 0) }
        guard let data = FileManager.default.contents(atPath: path) else { throw FileSystemError("read journal", path) }
        var records: [JournalRecord] = []
        var lineStart = data.startIndex
        var goodLength = 0
        let decoder = JSONDecoder()
        while let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            if let record = try? decoder.decode(JournalRecord.self, from: data[lineStart..<newline]) {
                records.append(record)
            }
            lineStart = newline + 1
            goodLength = lineStart - data.startIndex
        }
        return (records, goodLength)
    }

    /// The job book the journal at `path` describes.
    public static func replay(_ path: String) throws -> JobBook {
        var book = JobBook()
        for record in try read(path).records { book.apply(record) }
        return book
    }
}

extension JSONEncoder {
    static var journal: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
