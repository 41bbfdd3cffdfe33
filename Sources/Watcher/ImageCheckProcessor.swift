import Foundation

/// INTERIM processing, until the PTI pipeline lands: checks that the input is a PNG, JPEG or WebP
/// file and that the model file (when one is configured) is there, then copies the input unchanged
/// into the output folder. It edits nothing; it exists so the daemon runs end to end today.
public struct ImageCheckProcessor: JobProcessor {
    public let config: WatchConfig

    public init(config: WatchConfig) { self.config = config }

    public func process(_ job: Job, progress: JobProgressReporter) throws {
        progress.report(stage: "model", step: 0, of: 1)
        if let model = config.model, !FileManager.default.isReadableFile(atPath: model) {
            throw JobError.transient(stage: "model", "model file \(LogText.quoted(model)) is missing or unreadable")
        }
        progress.report(stage: "verify", step: 0, of: 1)
        let bytes = try readHead(job.input.path, count: 16)
        guard ImageSniff.format(of: bytes) != nil else {
            throw JobError.permanent(stage: "verify", "\(LogText.quoted(job.name)) is not a PNG, JPEG or WebP file")
        }
        progress.report(stage: "copy", step: 0, of: 1)
        try FileSystem.copyFile(job.input.path, to: job.outputFolder.path + "/" + job.name)
        progress.report(stage: "copy", step: 1, of: 1)
    }

    private func readHead(_ path: String, count: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileSystemError("open", path) }
        defer { try? handle.close() }
        return Array((try handle.read(upToCount: count)) ?? Data())
    }
}

/// The image format a file's first bytes announce.
enum ImageSniff {
    static func format(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if bytes.count >= 12 && bytes.starts(with: Array("RIFF".utf8)) && Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "webp"
        }
        return nil
    }
}
