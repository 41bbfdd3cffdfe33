/// PyTorch's legacy `torch.save` stream (before 1.6, and every storage blob nested in an NVlabs snapshot):
/// consecutive pickles for the magic number, the protocol version and system info, then the object, then the
/// list of storage keys, then each storage's `int64` element count and raw little-endian bytes in key-list order.
enum TorchLegacyFormat {
    /// 0x1950a86a20f9469cfc6c pickled as `PROTO 2, LONG1 10 <bytes>, STOP`.
    static let magicPickle: [UInt8] = [0x80, 0x02, 0x8A, 0x0A,
                                       0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
    static let protocolVersion = 1001

    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= magicPickle.count && zip(bytes, magicPickle).allSatisfy { $0 == $1 }
    }

    /// Reads a legacy stream and returns its object, with every storage's bytes attached (no copies: storages
    /// point into `slice`'s buffer).
    static func read(_ slice: ByteSlice, file: String, nesting: Int = 0) throws -> PickleValue {
        var reader = ByteReader(slice, file: file)
        guard hasMagic(slice.bytes) else {
            throw reader.error(.badMagic, "not a legacy PyTorch file (magic number missing)")
        }
        try reader.skip(magicPickle.count, what: "magic number")
        let noStorages: PickleMachine.PersistentLoad = { _, offset in
            throw CheckpointError(.malformed, file: file, offset: offset, "persistent id in a header pickle")
        }

        var header = PickleMachine(reader, nesting: nesting, persistentLoad: noStorages)
        let headerOffset = header.reader.position
        guard try header.run().intValue == protocolVersion else {
            throw reader.error(.unsupported, "legacy protocol version is not \(protocolVersion)", at: headerOffset)
        }
        var systemInfo = PickleMachine(header.reader, nesting: nesting, persistentLoad: noStorages)
        let infoOffset = systemInfo.reader.position
        if let info = try systemInfo.run().dictValue, case .bool(false)? = info["little_endian"] {
            throw reader.error(.unsupported, "big-endian legacy file", at: infoOffset)
        }

        var storages: [String: TensorStorage] = [:]
        var object = PickleMachine(systemInfo.reader, nesting: nesting) { pid, offset in
            let id = try TorchStorageID(pid, file: file, at: offset)
            if let known = storages[id.key] { return .storage(known) }
            let storage = TensorStorage(dtype: id.dtype, count: id.count)
            storages[id.key] = storage
            return .storage(storage)
        }
        let root = try object.run()

        var keyList = PickleMachine(object.reader, nesting: nesting, persistentLoad: noStorages)
        let keysOffset = keyList.reader.position
        guard let keyValues = try keyList.run().items else {
            throw reader.error(.malformed, "storage key list is not a list", at: keysOffset)
        }
        reader = keyList.reader
        for keyValue in keyValues {
            let key = keyValue.stringValue ?? keyValue.intValue.map(String.init) ?? ""
            let recordOffset = reader.position
            guard let storage = storages[key] else {
                throw reader.error(.malformed, "storage key '\(key)' is not used by the pickle", at: recordOffset)
            }
            let count = try reader.littleEndian(Int64.self, "storage size")
            guard count == storage.count else {
                throw reader.error(.malformed, "storage '\(key)' holds \(count) elements, the pickle says \(storage.count)",
                                   at: recordOffset)
            }
            let byteCount = storage.count.multipliedReportingOverflow(by: storage.dtype.byteSize)
            guard !byteCount.overflow else { throw reader.error(.malformed, "storage '\(key)' is too large") }
            storage.attach(ByteSlice(slice.buffer, try reader.take(byteCount.partialValue, what: "storage '\(key)'")))
        }
        if let missing = storages.first(where: { $0.value.bytes == nil }) {
            throw reader.error(.missingEntry, "storage '\(missing.key)' has no data in the file")
        }
        return root
    }

    /// `torch.storage._load_from_bytes(blob)`: a complete legacy stream whose object is one storage.
    static func readNestedStorage(_ blob: ByteSlice, file: String) throws -> TensorStorage {
        guard case .storage(let storage) = try read(blob, file: file, nesting: 1) else {
            throw CheckpointError(.malformed, file: file, offset: blob.range.lowerBound,
                                  "nested torch.save blob does not hold a storage")
        }
        return storage
    }
}
