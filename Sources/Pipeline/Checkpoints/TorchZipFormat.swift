/// PyTorch's zip serialisation (torch ≥ 1.6): `<folder>/data.pkl` is a protocol-2 pickle whose storages are
/// persistent ids naming entries `<folder>/data/<key>`. The folder is `archive` for older writers and the
/// file's base name for newer ones, so it is taken from wherever `data.pkl` sits.
enum TorchZipFormat {
    static func read(_ buffer: ByteBuffer, file: String) throws -> PickleValue {
        let archive = try ZipArchive(buffer, file: file)
        guard let pickleName = archive.names.first(where: { $0 == "data.pkl" || $0.hasSuffix("/data.pkl") }) else {
            throw CheckpointError(.missingEntry, file: file, "zip archive has no data.pkl: not a PyTorch checkpoint")
        }
        let folder = String(pickleName.dropLast("data.pkl".count))
        if archive.entries[folder + "byteorder"] != nil {
            let order = try archive.data(folder + "byteorder")
            guard String(decoding: order.bytes, as: UTF8.self) == "little" else {
                throw CheckpointError(.unsupported, file: file, "byte order is not little-endian")
            }
        }

        var storages: [String: TensorStorage] = [:]
        var machine = PickleMachine(ByteReader(try archive.data(pickleName), file: file)) { pid, offset in
            let id = try TorchStorageID(pid, file: file, at: offset)
            if let known = storages[id.key] { return .storage(known) }
            let data = try archive.data(folder + "data/" + id.key)
            guard let byteCount = id.byteCount, byteCount <= data.count else {
                throw CheckpointError(.malformed, file: file, offset: offset,
                                      "storage '\(id.key)' declares \(id.count) \(id.dtype.rawValue) elements but its entry holds \(data.count) bytes")
            }
            let storage = TensorStorage(dtype: id.dtype, count: id.count,
                                        bytes: ByteSlice(buffer, data.range.lowerBound..<(data.range.lowerBound + byteCount)))
            storages[id.key] = storage
            return .storage(storage)
        }
        return try machine.run()
    }
}
