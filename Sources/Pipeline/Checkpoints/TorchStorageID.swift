/// A storage's persistent id as both PyTorch formats pickle it:
/// `('storage', torch.FloatStorage, key, location, numel[, view_metadata])`. The location ('cpu', 'cuda:0')
/// does not matter: everything is read onto the CPU.
struct TorchStorageID {
    let dtype: TensorDType
    let key: String
    let count: Int

    init(_ pid: PickleValue, file: String, at offset: Int) throws {
        func fail(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
            CheckpointError(kind, file: file, offset: offset, message)
        }
        guard case .tuple(let fields) = pid, fields.count == 5 || fields.count == 6,
              fields[0].stringValue == "storage" else {
            throw fail(.malformed, "persistent id is not a ('storage', ...) tuple")
        }
        guard case .global(.storageClass(let dtype)) = fields[1] else {
            throw fail(.malformed, "persistent id names a \(fields[1].kindName), not a storage class")
        }
        let key: String
        switch fields[2] {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        default: throw fail(.malformed, "storage key is a \(fields[2].kindName)")
        }
        guard let count = fields[4].intValue, count >= 0 else {
            throw fail(.malformed, "storage size is not a non-negative int")
        }
        if fields.count == 6, case .none = fields[5] {} else if fields.count == 6 {
            throw fail(.unsupported, "storage views (view_metadata) are not supported")
        }
        self.dtype = dtype
        self.key = key
        self.count = count
    }

    /// Byte size of the storage, or nil when it overflows.
    var byteCount: Int? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        return overflow ? nil : bytes
    }
}
