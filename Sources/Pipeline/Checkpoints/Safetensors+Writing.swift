import Foundation

extension Safetensors {
    /// Writes `tensors` in their order, atomically. Floating-point tensors are stored as F32 and integer ones as
    /// I64 (Pivot's working types); each tensor is converted and written on its own, so memory stays at one
    /// tensor beyond what the caller holds.
    public static func write(_ tensors: NamedTensors, metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let stored: TensorDType = tensor.dtype.isFloatingPoint ? .float32 : .int64
            let size = tensor.count * stored.byteSize
            header[name] = ["dtype": stored.safetensorsName, "shape": tensor.shape, "data_offsets": [offset, offset + size]]
            offset += size
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        json.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))

        try AtomicFile.write(to: path) { file in
            try file.write(withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) })
            try file.write(Array(json))
            for (name, tensor) in tensors {
                do {
                    if tensor.dtype.isFloatingPoint {
                        try tensor.floats().withUnsafeBytes { try file.write($0) }
                    } else {
                        try tensor.int64s().withUnsafeBytes { try file.write($0) }
                    }
                } catch let error as ShapeError {
                    throw CheckpointError(.malformed, file: tensors.source, "tensor '\(name)': \(error)")
                }
            }
        }
    }
}
