/// A bad dlib model file: names the file, the byte offset and what was wrong.
public struct DlibFormatError: Error, CustomStringConvertible {
    public var file: String
    public var offset: Int
    public var reason: String

    public var description: String { "\(file): invalid dlib file at byte \(offset): \(reason)" }
}

/// Reads dlib's serialisation format (specs/align.md §2) from bytes held in memory.
///
/// The format has no header and no alignment. Every count read from the file is checked against the bytes
/// that remain before anything is allocated for it, so a corrupt size fails with an error, never a huge
/// allocation.
struct DlibStreamReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func error(_ reason: String) -> DlibFormatError {
        DlibFormatError(file: file, offset: offset, reason: reason)
    }

    /// One control byte (sign in 0x80, length in the low nibble), then that many little-endian magnitude bytes.
    /// Returns nil (leaving `offset` alone) when the bytes are not a valid integer of at most `byteLimit` bytes.
    @inline(__always)
    private static func decodeInteger(_ bytes: UnsafeBufferPointer<UInt8>, at offset: inout Int, byteLimit: Int,
                                      signed: Bool) -> (magnitude: UInt64, negative: Bool)? {
        guard offset < bytes.count else { return nil }
        let control = bytes[offset]
        let negative = control & 0x80 != 0
        let length = Int(control & 0x0F)
        // dlib's unsigned reader keeps the sign bit in its length mask, so a "negative" unsigned is too long.
        guard length >= 1, length <= byteLimit, signed || !negative, control & 0x70 == 0,
              bytes.count - offset > length else { return nil }
        var magnitude: UInt64 = 0
        for k in 0..<length { magnitude |= UInt64(bytes[offset + 1 + k]) << (8 * UInt64(k)) }
        offset += 1 + length
        return (magnitude, negative)
    }

    private mutating func integer(byteLimit: Int, signed: Bool, what: @autoclosure () -> String) throws -> (magnitude: UInt64, negative: Bool) {
        var position = offset
        let decoded = bytes.withUnsafeBufferPointer {
            Self.decodeInteger($0, at: &position, byteLimit: byteLimit, signed: signed)
        }
        guard let decoded else {
            guard offset < bytes.count else { throw error("file ends inside \(what())") }
            throw error("bad integer (control byte 0x\(String(bytes[offset], radix: 16))) for \(what())")
        }
        offset = position
        return decoded
    }

    /// A C++ `unsigned long` (8 bytes on Linux).
    mutating func unsignedInteger(_ what: @autoclosure () -> String) throws -> UInt64 {
        try integer(byteLimit: 8, signed: false, what: what()).magnitude
    }

    /// A signed C++ integer of `byteLimit` bytes (4 for `int`, 8 for `long`, 2 for `short`).
    mutating func signedInteger(_ what: @autoclosure () -> String, byteLimit: Int = 8) throws -> Int64 {
        let start = offset
        let (magnitude, negative) = try integer(byteLimit: byteLimit, signed: true, what: what())
        let limit = UInt64(1) << UInt64(8 * byteLimit - 1)
        guard magnitude < limit || (negative && magnitude == limit) else {
            offset = start
            throw error("\(what()) does not fit in \(byteLimit) bytes")
        }
        return negative ? Int64(bitPattern: 0 &- magnitude) : Int64(magnitude)
    }

    /// A count of elements that each take at least `minimumBytes` bytes: rejected if the rest of the file
    /// cannot possibly hold them.
    mutating func count(_ what: @autoclosure () -> String, minimumBytes: Int) throws -> Int {
        let n = try unsignedInteger(what())
        guard n <= UInt64(remaining / max(minimumBytes, 1)) else {
            throw error("\(what()) is \(n), more than the \(remaining) remaining bytes can hold")
        }
        return Int(n)
    }

    /// dlib's portable float: an `int64` mantissa and an `int16` exponent, value = mantissa · 2^exponent.
    mutating func double(_ what: @autoclosure () -> String) throws -> Double {
        guard offset < bytes.count else { throw error("file ends inside \(what())") }
        guard bytes[offset] & 0x70 == 0 else { throw error("\(what()) is in dlib's legacy text float format") }
        let mantissa = try signedInteger("\(what()) mantissa", byteLimit: 8)
        let exponent = try signedInteger("\(what()) exponent", byteLimit: 2)
        switch exponent {
        case 32000: return .infinity
        case 32001: return -.infinity
        case 32002: return .nan
        default:
            // The writer keeps at most 53 significant bits, so Double(mantissa) is exact.
            guard mantissa.magnitude < (UInt64(1) << 53) else { throw error("\(what()) mantissa has more than 53 bits") }
            return Double(sign: .plus, exponent: Int(exponent), significand: Double(mantissa))
        }
    }

    /// A float written with 24 mantissa bits: the Double value converts to Float exactly.
    mutating func float(_ what: @autoclosure () -> String) throws -> Float { Float(try double(what())) }

    /// A `matrix<float,0,1>`, decoded in one pass over the bytes: the 68-point model holds 16 M of these
    /// floats. Falls back to `float(_:)` (for its error message or a special value) on anything unusual.
    mutating func floatColumnVector(_ what: @autoclosure () -> String) throws -> [Float] {
        let rows = try signedInteger("\(what()) rows").magnitude
        let cols = try signedInteger("\(what()) cols").magnitude
        guard cols == 1 || rows == 0 else { throw error("\(what()) has \(cols) columns, expected a column vector") }
        guard rows <= UInt64(remaining / 4) else { throw error("\(what()) has \(rows) rows, more than the file holds") }
        var values = [Float](repeating: 0, count: Int(rows))
        var position = offset, decoded = 0
        bytes.withUnsafeBufferPointer { bytes in
            while decoded < values.count {
                var next = position
                guard let mantissa = Self.decodeInteger(bytes, at: &next, byteLimit: 8, signed: true),
                      let exponent = Self.decodeInteger(bytes, at: &next, byteLimit: 2, signed: true),
                      mantissa.magnitude < 1 << 24, exponent.magnitude < 126 else { return }
                let scale = Float(sign: .plus, exponent: exponent.negative ? -Int(exponent.magnitude) : Int(exponent.magnitude),
                                  significand: 1)
                let value = Float(mantissa.magnitude) * scale
                values[decoded] = mantissa.negative ? -value : value
                decoded += 1
                position = next
            }
        }
        offset = position
        while decoded < values.count {  // the slow path, for its checks and error messages
            values[decoded] = try float("\(what()) value")
            decoded += 1
        }
        return values
    }

    /// A `dlib::matrix` column vector: rows and cols as `long` (negated in the current format), then the data.
    mutating func columnVector<T>(_ what: @autoclosure () -> String, element: (inout DlibStreamReader) throws -> T) throws -> [T] {
        let rows = try signedInteger("\(what()) rows").magnitude
        let cols = try signedInteger("\(what()) cols").magnitude
        guard cols == 1 || rows == 0 else { throw error("\(what()) has \(cols) columns, expected a column vector") }
        // Every encoded number takes at least 2 bytes; floats take at least 4.
        guard rows <= UInt64(remaining / 2) else { throw error("\(what()) has \(rows) rows, more than the file holds") }
        var values: [T] = []
        values.reserveCapacity(Int(rows))
        for _ in 0..<Int(rows) { values.append(try element(&self)) }
        return values
    }

    /// A `std::vector<T>`: an `unsigned long` count, then the elements.
    mutating func vector<T>(_ what: @autoclosure () -> String, minimumElementBytes: Int,
                            element: (inout DlibStreamReader) throws -> T) throws -> [T] {
        let n = try count("\(what()) count", minimumBytes: minimumElementBytes)
        var values: [T] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try element(&self)) }
        return values
    }

    /// Checks that a versioned object has the version this reader understands.
    mutating func expectVersion(_ expected: Int64, of what: @autoclosure () -> String) throws {
        let version = try signedInteger("\(what()) version", byteLimit: 4)
        guard version == expected else { throw error("\(what()) version is \(version), expected \(expected)") }
    }

    func expectEnd() throws {
        guard remaining == 0 else { throw error("\(remaining) unexpected bytes after the model") }
    }
}
