import Foundation

/// A job failure, classified so the daemon knows what to do with the input.
public struct JobError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// The input itself is bad (not an image, too large, no face): retrying cannot help.
        case permanent
        /// The machine is the problem (disk full, model missing): retry later with back-off.
        case transient
        /// The daemon was asked to stop; the job runs again on the next start and this is not a failure.
        case interrupted
    }

    public var kind: Kind
    public var stage: String
    public var message: String

    public init(_ kind: Kind, stage: String, _ message: String) {
        self.kind = kind
        self.stage = stage
        self.message = message
    }

    public static func permanent(stage: String, _ message: String) -> JobError { .init(.permanent, stage: stage, message) }
    public static func transient(stage: String, _ message: String) -> JobError { .init(.transient, stage: stage, message) }
    public static func interrupted(stage: String) -> JobError { .init(.interrupted, stage: stage, "stopped on request") }

    public var description: String { "\(stage): \(message)" }

    /// errno values that describe the machine, not the input.
    static let transientErrnos: Set<Int32> = [ENOSPC, EDQUOT, ENOMEM, EAGAIN, EMFILE, ENFILE, EIO, EROFS, EBUSY]

    /// Maps any error thrown by a processor to a `JobError`: out-of-space and similar system errors are
    /// transient, everything else is blamed on the input.
    public static func classify(_ error: Error, stage: String) -> JobError {
        if let job = error as? JobError { return job }
        if let io = error as? FileSystemError {
            return .init(transientErrnos.contains(io.code) ? .transient : .permanent, stage: stage, io.description)
        }
        let ns = error as NSError
        var code: Int32? = ns.domain == NSPOSIXErrorDomain ? Int32(ns.code) : nil
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            code = Int32(underlying.code)
        }
        if ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.fileWriteOutOfSpace.rawValue { code = ENOSPC }
        let transient = code.map { transientErrnos.contains($0) } ?? false
        return .init(transient ? .transient : .permanent, stage: stage, "\(error)")
    }
}
