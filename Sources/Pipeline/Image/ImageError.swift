/// Why an image could not be read or written; the description names the file.
public struct ImageError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read.
        case unreadable
        /// Zero bytes.
        case empty
        /// Not a PNG, JPEG or WebP file (the format is sniffed from the first bytes, not the extension).
        case unknownFormat
        /// The header declares more pixels than `ImageReadOptions.maxPixels` (refused before decoding).
        case tooLarge
        /// The codec rejected the data: corrupt, truncated or unsupported.
        case corrupt
        /// The image could not be encoded or the file could not be written.
        case notWritten
    }

    public let file: String
    public let kind: Kind
    public let reason: String

    public init(file: String, kind: Kind, reason: String) {
        self.file = file
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
