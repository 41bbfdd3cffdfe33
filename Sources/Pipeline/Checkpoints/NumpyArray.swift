import Foundation

/// NumPy's `.npy` format: magic `\x93NUMPY`, version, header length, a Python-literal header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 512), }`, then the raw data.
enum NumpyArray {
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 6 && bytes[0] == 0x93 && Array(bytes[1..<6]) == Array("NUMPY".utf8)
    }

    static func read(_ slice: ByteSlice, file: String) throws -> CheckpointTensor {
        var reader = ByteReader(slice, file: file)
        try reader.skip(6, what: "npy magic")
        let major = try reader.uint8("npy version")
        try reader.skip(1, what: "npy version")
        let headerLength = major == 1 ? try reader.length(UInt16.self, "npy header length")
                                      : try reader.length(UInt32.self, "npy header length")
        guard let header = reader.string(try reader.take(headerLength, what: "npy header")) else {
            throw reader.error(.malformed, "npy header is not text")
        }
        func bad(_ message: String) -> CheckpointError { CheckpointError(.malformed, file: file, offset: 8, message) }
        guard let descr = value(of: "descr", in: header)?.trimmingQuotes,
              let fortran = value(of: "fortran_order", in: header),
              let shapeText = value(of: "shape", in: header) else { throw bad("npy header lacks descr, fortran_order or shape") }
        let dtypes: [String: TensorDType] = ["<f4": .float32, "<f2": .float16, "<f8": .float64, "<i8": .int64,
                                             "<i4": .int32, "|u1": .uint8, "|i1": .int8, "|b1": .bool]
        guard let dtype = dtypes[descr] else { throw bad("npy element type '\(descr)' is not supported") }
        let dimensions = shapeText.split(whereSeparator: { "(), ".contains($0) })
        let shape = dimensions.compactMap { Int($0) }
        guard shape.count == dimensions.count else { throw bad("npy shape '\(shapeText)' is not a tuple of ints") }
        var strides = CheckpointTensor.contiguousStrides(shape.reversed()).reversed() as [Int]
        if fortran != "True" { strides = CheckpointTensor.contiguousStrides(shape) }
        let data = ByteSlice(slice.buffer, reader.position..<slice.range.upperBound)
        do {
            return try CheckpointTensor(storage: TensorStorage(dtype: dtype, bytes: data), shape: shape, strides: strides)
        } catch {
            throw bad("npy data does not fill shape \(shape): \(error)")
        }
    }

    /// The text after `'key':` up to the next top-level comma (a tuple counts as one value).
    private static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var text = ""
        for character in header[keyRange.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            text.append(character)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}

private extension String {
    var trimmingQuotes: String { trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
}
