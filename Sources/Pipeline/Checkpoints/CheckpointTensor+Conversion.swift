extension CheckpointTensor {
    /// The elements in C order as float32 (float16 and bfloat16 widen exactly; float64 rounds).
    public func floats() throws -> [Float] {
        switch dtype {
        case .float32:
            if isContiguous, let bytes = storage.bytes?.bytes, (storageOffset + count) * 4 <= bytes.count {
                // The common case: one copy straight out of the mapped file.
                return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: bytes[(storageOffset * 4)..<((storageOffset + count) * 4)]))
                    initialized = count
                }
            }
            return try gather { $0.loadUnaligned(fromByteOffset: $1, as: Float.self) }
        case .float16: return try gather { floatFromHalf($0.loadUnaligned(fromByteOffset: $1, as: UInt16.self)) }
        case .bfloat16: return try gather { floatFromBFloat16($0.loadUnaligned(fromByteOffset: $1, as: UInt16.self)) }
        case .float64: return try gather { Float($0.loadUnaligned(fromByteOffset: $1, as: Double.self)) }
        default: throw ShapeError("tensor holds \(dtype.rawValue), not floating-point values")
        }
    }

    /// The elements in C order as Int64 (integer and bool types only).
    public func int64s() throws -> [Int64] {
        switch dtype {
        case .int64: return try gather { $0.loadUnaligned(fromByteOffset: $1, as: Int64.self) }
        case .int32: return try gather { Int64($0.loadUnaligned(fromByteOffset: $1, as: Int32.self)) }
        case .int16: return try gather { Int64($0.loadUnaligned(fromByteOffset: $1, as: Int16.self)) }
        case .int8: return try gather { Int64($0.load(fromByteOffset: $1, as: Int8.self)) }
        case .uint8, .bool: return try gather { Int64($0.load(fromByteOffset: $1, as: UInt8.self)) }
        default: throw ShapeError("tensor holds \(dtype.rawValue), not integers")
        }
    }

    /// Visits the elements in C order, honouring strides and the storage offset. The view was bounds-checked
    /// when the tensor was made, so the loads below stay inside the storage.
    private func gather<T>(_ load: (UnsafeRawBufferPointer, Int) -> T) throws -> [T] {
        guard let slice = storage.bytes, slice.count >= storage.count * dtype.byteSize else {
            throw ShapeError("tensor storage has no data")
        }
        let bytes = slice.bytes
        let elementSize = dtype.byteSize
        if isContiguous {
            return (0..<count).map { load(bytes, (storageOffset + $0) * elementSize) }
        }
        var result = [T]()
        result.reserveCapacity(count)
        var index = [Int](repeating: 0, count: rank)
        var element = storageOffset
        for _ in 0..<count {
            result.append(load(bytes, element * elementSize))
            // Odometer step over the last axes first.
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                element += strides[axis]
                if index[axis] < shape[axis] { break }
                element -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
