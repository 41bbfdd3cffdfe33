import Foundation

/// Where the reference fixtures live: `$PIVOT_FIXTURES`, else `../shared/fixtures` from the package root.
/// Tests that need them skip (with a message naming the folder) when the folder is absent.
public enum Fixtures {
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["PIVOT_FIXTURES"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        // #filePath is .../Tests/PivotTestSupport/Fixtures.swift; the package root is two levels up.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures", isDirectory: true)
    }

    public static var available: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The message a skipped fixture test shows.
    public static var missingMessage: String {
        "fixtures folder \(root.path) not found (set PIVOT_FIXTURES); skipping fixture test"
    }

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
