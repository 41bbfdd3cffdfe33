import Foundation

/// Writes a `state_dict` the way `torch.save` (zip format, torch ≥ 1.6) does: a stored ZIP with
/// `<folder>/data.pkl` (protocol 2: OrderedDict of `_rebuild_tensor_v2` calls, storages as persistent ids),
/// `<folder>/data/<key>` payloads on 64-byte boundaries, and `<folder>/version`. Tests use it to make
/// checkpoints of any size (e.g. a scaled-up generator) without committing them.
public enum TorchZipWriter {
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        /// Produces the float32 values in C order when the tensor is written (so large files stream).
        public var values: () -> [Float]

        public init(name: String, shape: [Int], values: @escaping () -> [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    public static func write(_ tensors: [Tensor], to path: String, folder: String = "archive") throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? handle.close() }
        var offset = 0
        var directory: [(name: String, offset: Int, size: Int, crc: UInt32)] = []

        func add(_ name: String, _ payload: [UInt8]) throws {
            let fullName = Array("\(folder)/\(name)".utf8)
            // Pad the local extra field so the payload starts on a 64-byte boundary.
            let unpadded = offset + 30 + fullName.count + 4
            let padding = (64 - unpadded % 64) % 64
            let extra = le16(0xCAFE) + le16(padding) + [UInt8](repeating: 0, count: padding)
            let crc = crc32(payload)
            var header = le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            header += le32(crc) + le32(payload.count) + le32(payload.count) + le16(fullName.count) + le16(extra.count)
            let record = header + fullName + extra
            try handle.write(contentsOf: record)
            try handle.write(contentsOf: payload)
            directory.append((String(decoding: fullName, as: UTF8.self), offset, payload.count, crc))
            offset += record.count + payload.count
        }

        try add("data.pkl", pickle(tensors))
        for (key, tensor) in tensors.enumerated() {
            let values = tensor.values()
            precondition(values.count == tensor.shape.reduce(1, *), "\(tensor.name): wrong value count")
            try add("data/\(key)", values.withUnsafeBytes { Array($0) })
        }
        try add("version", Array("3\n".utf8))

        var central: [UInt8] = []
        for entry in directory {
            let name = Array(entry.name.utf8)
            central += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            central += le32(entry.crc) + le32(entry.size) + le32(entry.size) + le16(name.count) + le16(0) + le16(0)
            central += le16(0) + le16(0) + le32(0) + le32(entry.offset) + name
        }
        let end = le32(0x0605_4B50) + le16(0) + le16(0) + le16(directory.count) + le16(directory.count)
            + le32(central.count) + le32(offset) + le16(0)
        try handle.write(contentsOf: central + end)
    }

    /// data.pkl: OrderedDict([(name, _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', n), 0, size, stride, False, OrderedDict()))]).
    static func pickle(_ tensors: [Tensor]) -> [UInt8] {
        func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
        func text(_ value: String) -> [UInt8] { [0x58] + le32(value.utf8.count) + Array(value.utf8) }
        func int(_ value: Int) -> [UInt8] { [0x4A] + le32(value) }
        func tuple(_ items: [Int]) -> [UInt8] { [0x28] + items.flatMap(int) + [0x74] }
        let orderedDict = global("collections", "OrderedDict") + [0x29, 0x52]
        var bytes: [UInt8] = [0x80, 0x02] + orderedDict + [0x28]
        for (key, tensor) in tensors.enumerated() {
            var strides = [Int](repeating: 1, count: tensor.shape.count)
            for axis in strides.indices.dropLast().reversed() { strides[axis] = strides[axis + 1] * tensor.shape[axis + 1] }
            bytes += text(tensor.name) + global("torch._utils", "_rebuild_tensor_v2") + [0x28]
            bytes += [0x28] + text("storage") + global("torch", "FloatStorage") + text(String(key)) + text("cpu")
                + int(tensor.shape.reduce(1, *)) + [0x74, 0x51]
            bytes += int(0) + tuple(tensor.shape) + tuple(strides) + [0x89] + orderedDict + [0x74, 0x52]
        }
        return bytes + [0x75, 0x2E]
    }

    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
    static func le32<T: BinaryInteger>(_ value: T) -> [UInt8] {
        let bits = UInt32(truncatingIfNeeded: value)
        return (0..<4).map { UInt8(bits >> (8 * $0) & 0xFF) }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[i] = c
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
