/// The central directory of a ZIP file (including ZIP64 records), read directly from a mapped buffer.
/// PyTorch writes its archives uncompressed ("stored"), so an entry's data is a plain byte range of the file.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: UInt16
        let size: Int
        let localHeaderOffset: Int
    }

    let buffer: ByteBuffer
    let file: String
    let entries: [String: Entry]
    /// Entry names in central-directory order.
    let names: [String]

    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
    }

    init(_ buffer: ByteBuffer, file: String) throws {
        self.buffer = buffer
        self.file = file
        let whole = ByteSlice(buffer, 0..<buffer.count)
        let end = try Self.findEndOfCentralDirectory(whole, file: file)
        var reader = ByteReader(whole, file: file, at: end + 10)
        var entryCount = Int(try reader.littleEndian(UInt16.self, "entry count"))
        var directorySize = Int(try reader.littleEndian(UInt32.self, "central directory size"))
        var directoryOffset = Int(try reader.littleEndian(UInt32.self, "central directory offset"))

        // ZIP64: a locator 20 bytes before the end record points at the ZIP64 end record with 64-bit fields.
        if end >= 20, buffer.bytes.loadUnaligned(fromByteOffset: end - 20, as: UInt32.self) == 0x0706_4B50 {
            var locator = ByteReader(whole, file: file, at: end - 12)
            let recordOffset = Int(clamping: try locator.littleEndian(UInt64.self, "ZIP64 end record offset"))
            var record = ByteReader(whole, file: file, at: min(recordOffset, buffer.count))
            guard try record.littleEndian(UInt32.self, "ZIP64 end record") == 0x0606_4B50 else {
                throw record.error(.malformed, "ZIP64 locator points at no ZIP64 end record", at: recordOffset)
            }
            try record.skip(28, what: "ZIP64 end record")
            entryCount = Int(clamping: try record.littleEndian(UInt64.self, "ZIP64 entry count"))
            directorySize = Int(clamping: try record.littleEndian(UInt64.self, "ZIP64 directory size"))
            directoryOffset = Int(clamping: try record.littleEndian(UInt64.self, "ZIP64 directory offset"))
        }
        guard directoryOffset <= buffer.count, directorySize <= buffer.count - directoryOffset,
              entryCount <= directorySize / 46 else {
            throw CheckpointError(.truncated, file: file, offset: end,
                                  "central directory (\(entryCount) entries at \(directoryOffset)) lies outside the file")
        }

        var directory = ByteReader(ByteSlice(buffer, directoryOffset..<(directoryOffset + directorySize)), file: file)
        var entries: [String: Entry] = [:]
        var names: [String] = []
        for _ in 0..<entryCount {
            let entry = try Self.readDirectoryEntry(&directory)
            if entries[entry.name] == nil { names.append(entry.name) }
            entries[entry.name] = entry
        }
        self.entries = entries
        self.names = names
    }

    private static func findEndOfCentralDirectory(_ whole: ByteSlice, file: String) throws -> Int {
        let bytes = whole.bytes
        guard bytes.count >= 22 else {
            throw CheckpointError(.truncated, file: file, "too short for a zip archive (\(bytes.count) bytes)")
        }
        // The end record is 22 bytes plus a comment of at most 65535 bytes.
        let lowest = max(0, bytes.count - 22 - 65535)
        for offset in stride(from: bytes.count - 22, through: lowest, by: -1)
        where bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) == 0x0605_4B50 {
            return offset
        }
        throw CheckpointError(.truncated, file: file, "zip end-of-central-directory record not found (truncated file?)")
    }

    private static func readDirectoryEntry(_ reader: inout ByteReader) throws -> Entry {
        let start = reader.position
        guard try reader.littleEndian(UInt32.self, "central directory entry") == 0x0201_4B50 else {
            throw reader.error(.malformed, "bad central directory entry signature", at: start)
        }
        try reader.skip(6, what: "central directory entry")
        let method = try reader.littleEndian(UInt16.self, "compression method")
        try reader.skip(8, what: "central directory entry")
        var compressedSize = UInt64(try reader.littleEndian(UInt32.self, "compressed size"))
        var size = UInt64(try reader.littleEndian(UInt32.self, "size"))
        let nameLength = Int(try reader.littleEndian(UInt16.self, "name length"))
        let extraLength = Int(try reader.littleEndian(UInt16.self, "extra length"))
        let commentLength = Int(try reader.littleEndian(UInt16.self, "comment length"))
        try reader.skip(8, what: "central directory entry")
        var localOffset = UInt64(try reader.littleEndian(UInt32.self, "local header offset"))
        guard let name = reader.string(try reader.take(nameLength, what: "entry name")) else {
            throw reader.error(.malformed, "entry name is not UTF-8", at: start)
        }
        var extra = ByteReader(ByteSlice(reader.slice.buffer, try reader.take(extraLength, what: "extra field")),
                               file: reader.file)
        try reader.skip(commentLength, what: "entry comment")

        // ZIP64 extended information: the 64-bit values of whichever fields were saturated, in this order.
        while extra.remaining >= 4 {
            let tag = try extra.littleEndian(UInt16.self, "extra tag")
            let length = try extra.length(UInt16.self, "extra length")
            var field = ByteReader(ByteSlice(extra.slice.buffer, try extra.take(length, what: "extra data")),
                                   file: reader.file)
            guard tag == 0x0001 else { continue }
            if size == 0xFFFF_FFFF { size = try field.littleEndian(UInt64.self, "ZIP64 size") }
            if compressedSize == 0xFFFF_FFFF { compressedSize = try field.littleEndian(UInt64.self, "ZIP64 compressed size") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.littleEndian(UInt64.self, "ZIP64 offset") }
        }
        let stored = method == 0 ? compressedSize : size
        return Entry(name: name, method: method, size: Int(clamping: stored), localHeaderOffset: Int(clamping: localOffset))
    }

    /// The bytes of an entry, found through its local header (PyTorch pads the local extra field so that
    /// payloads start on 64-byte boundaries, so the local lengths decide where data begins).
    func data(_ name: String) throws -> ByteSlice {
        guard let entry = entries[name] else {
            throw CheckpointError(.missingEntry, file: file, "zip entry '\(name)' is missing")
        }
        guard entry.method == 0 else {
            throw CheckpointError(.unsupported, file: file, offset: entry.localHeaderOffset,
                                  "zip entry '\(name)' is compressed (method \(entry.method)); only stored entries are read")
        }
        var local = ByteReader(ByteSlice(buffer, 0..<buffer.count), file: file, at: min(entry.localHeaderOffset, buffer.count))
        guard try local.littleEndian(UInt32.self, "local header of '\(name)'") == 0x0403_4B50 else {
            throw local.error(.malformed, "zip entry '\(name)' has no local header", at: entry.localHeaderOffset)
        }
        try local.skip(22, what: "local header of '\(name)'")
        let nameLength = Int(try local.littleEndian(UInt16.self, "local name length"))
        let extraLength = Int(try local.littleEndian(UInt16.self, "local extra length"))
        try local.skip(nameLength + extraLength, what: "local header of '\(name)'")
        return ByteSlice(buffer, try local.take(entry.size, what: "zip entry '\(name)'"))
    }
}
