import Foundation

/// Text helpers for log lines: file names may hold spaces, newlines or any other byte.
public enum LogText {
    /// A name in double quotes with control characters escaped, so one event stays on one line.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func timestamp(_ date: Date = Date()) -> String { date.ISO8601Format() }
}

/// The daemon's log: one human line per event on stderr, and optionally one JSON object per line
/// (for log shippers) on stdout or in a file.
public final class Logger: @unchecked Sendable {
    public enum Level: String, Sendable { case info, warning, error }

    private let lock = NSLock()
    private var jsonHandle: FileHandle?
    private let human: FileHandle

    /// `jsonPath`: nil for no JSON log, "-" for stdout, else a file to append to.
    public init(jsonPath: String? = nil, human: FileHandle = .standardError) throws {
        self.human = human
        if let jsonPath {
            if jsonPath == "-" {
                jsonHandle = .standardOutput
            } else {
                if !FileManager.default.fileExists(atPath: jsonPath) {
                    _ = FileManager.default.createFile(atPath: jsonPath, contents: nil)
                }
                guard let handle = FileHandle(forWritingAtPath: jsonPath) else {
                    throw FileSystemError("open log", jsonPath)
                }
                handle.seekToEndOfFile()
                jsonHandle = handle
            }
        }
    }

    /// Logs `event` (a short machine name such as "done") with a human message and structured fields.
    public func log(_ level: Level, _ event: String, _ message: String, fields: [String: String] = [:]) {
        let now = Date()
        let line = "\(LogText.timestamp(now)) \(level.rawValue) \(message)\n"
        var object = fields
        object["time"] = LogText.timestamp(now)
        object["level"] = level.rawValue
        object["event"] = event
        object["message"] = message
        lock.lock()
        defer { lock.unlock() }
        human.write(Data(line.utf8))
        if let jsonHandle, let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            jsonHandle.write(json + Data("\n".utf8))
        }
    }

    public func info(_ event: String, _ message: String, _ fields: [String: String] = [:]) { log(.info, event, message, fields: fields) }
    public func warning(_ event: String, _ message: String, _ fields: [String: String] = [:]) { log(.warning, event, message, fields: fields) }
    public func error(_ event: String, _ message: String, _ fields: [String: String] = [:]) { log(.error, event, message, fields: fields) }
}
