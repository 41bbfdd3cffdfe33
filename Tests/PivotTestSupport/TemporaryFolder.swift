import Foundation

/// A fresh, empty, uniquely named folder under the system temporary directory for one test.
/// Pair it with `defer { try? FileManager.default.removeItem(atPath: folder) }` so nothing stays in /tmp.
public func temporaryFolder(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "pivot-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
