import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header
/// (`name: {dtype, shape, data_offsets}` plus an optional `__metadata__` string map), then the raw data.
public enum Safetensors {
    /// Headers above this size are refused before anything is allocated for them.
    static let maxHeaderBytes = 100 << 20

    public struct Contents {
        public let tensors: NamedTensors
        public let metadata: [String: String]
    }

    public static func read(path: String) throws -> Contents {
        try read(ByteBuffer.mapping(path), file: path)
    }

    /// True when the bytes start with a plausible safetensors header.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 9 else { return false }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        return length < UInt64(maxHeaderBytes) && bytes[8] == UInt8(ascii: "{")
    }

    public static func read(_ buffer: ByteBuffer, file: String) throws -> Contents {
        var reader = ByteReader(ByteSlice(buffer, 0..<buffer.count), file: file)
        let headerLength = try reader.littleEndian(UInt64.self, "safetensors header length")
        guard headerLength <= UInt64(min(maxHeaderBytes, reader.remaining)) else {
            throw reader.error(.truncated, "safetensors header of \(headerLength) bytes does not fit the file", at: 0)
        }
        let headerRange = try reader.take(Int(headerLength), what: "safetensors header")
        let dataStart = headerRange.upperBound
        let dataSize = buffer.count - dataStart

        let header: [String: Any]
        do {
            let json = try JSONSerialization.jsonObject(with: Data(buffer.bytes[headerRange]))
            guard let object = json as? [String: Any] else { throw CocoaError(.coderInvalidValue) }
            header = object
        } catch {
            throw CheckpointError(.malformed, file: file, offset: 8, "safetensors header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [(name: String, begin: Int, end: Int, tensor: CheckpointTensor)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else {
                    throw CheckpointError(.malformed, file: file, offset: 8, "__metadata__ is not a string map")
                }
                metadata = map
                continue
            }
            func bad(_ message: String) -> CheckpointError {
                CheckpointError(.malformed, file: file, offset: 8, "tensor '\(name)': \(message)")
            }
            guard let fields = value as? [String: Any], let dtypeName = fields["dtype"] as? String,
                  let shapeNumbers = fields["shape"] as? [NSNumber],
                  let offsetNumbers = fields["data_offsets"] as? [NSNumber], offsetNumbers.count == 2 else {
                throw bad("needs dtype, shape and two data_offsets")
            }
            guard let dtype = TensorDType(safetensorsName: dtypeName) else { throw bad("unsupported dtype \(dtypeName)") }
            let shape = shapeNumbers.map { Int(truncating: $0) }
            let begin = Int(truncating: offsetNumbers[0]), end = Int(truncating: offsetNumbers[1])
            guard 0 <= begin, begin <= end, end <= dataSize else {
                throw bad("data_offsets [\(begin), \(end)] lie outside the \(dataSize) data bytes")
            }
            let storage = TensorStorage(dtype: dtype, bytes: ByteSlice(buffer, (dataStart + begin)..<(dataStart + end)))
            let tensor: CheckpointTensor
            do {
                tensor = try CheckpointTensor(storage: storage, shape: shape,
                                              strides: CheckpointTensor.contiguousStrides(shape))
            } catch { throw bad("\(error)") }
            let (byteCount, overflow) = tensor.count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, byteCount == end - begin else {
                throw bad("shape \(shape) does not match data_offsets [\(begin), \(end)]")
            }
            entries.append((name, begin, end, tensor))
        }
        // JSON objects are unordered; the data order is the order the writer chose (empty tensors first at a tie).
        var tensors = NamedTensors(source: file)
        for entry in entries.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            tensors.set(entry.name, entry.tensor)
        }
        return Contents(tensors: tensors, metadata: metadata)
    }
}
