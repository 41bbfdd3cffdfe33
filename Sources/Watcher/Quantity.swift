import Foundation

/// Human quantities on the command line and in the config file: ages ("7d", "12h", "90s") and
/// sizes ("500M", "10G", "4096").
public enum Quantity {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Seconds in an age such as "7d"; units s, m, h, d, w (a bare number is seconds).
    public static func seconds(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
        return try parse(text, units: units, what: "age (e.g. 7d, 12h, 30m)")
    }

    /// Bytes in a size such as "10G"; units K, M, G, T (powers of 1024; a bare number is bytes).
    public static func bytes(_ text: String) throws -> Int64 {
        let units: [Character: Double] = ["k": 0x1p10, "m": 0x1p20, "g": 0x1p30, "t": 0x1p40]
        return Int64(try parse(text.lowercased().replacingOccurrences(of: "ib", with: "")
            .replacingOccurrences(of: "b", with: ""), units: units, what: "size (e.g. 500M, 10G)"))
    }

    private static func parse(_ text: String, units: [Character: Double], what: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var scale = 1.0
        if let last = trimmed.last, let unit = units[Character(last.lowercased())] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value.isFinite, value >= 0 else {
            throw ParseError(description: "\"\(text)\" is not a valid \(what)")
        }
        return value * scale
    }
}
