import Foundation

/// A failed system call on a path, with the errno that explains it.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public init(_ operation: String, _ path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "\(operation) \(LogText.quoted(path)): \(String(cString: strerror(code)))"
    }
}
