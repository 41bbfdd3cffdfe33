/// Everything that can be wrong with a checkpoint file. The message always names the file; `offset` is the byte
/// position inside that file where the problem was found, when there is one.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        case io                 // cannot open / read / write
        case truncated          // the file ends inside a record
        case badMagic           // not the format it claims to be
        case malformed          // a record is inconsistent (bad length, bad JSON, ...)
        case refused            // a pickle opcode or global outside the allow-list
        case unsupported        // a valid file using a feature Pivot does not read (compression, dtype, ...)
        case missingEntry       // a zip entry or tensor that should be there is not
        case architecture       // tensors that do not fit the generator architecture
    }

    public let kind: Kind
    public let file: String
    public let offset: Int?
    public let message: String

    public init(_ kind: Kind, file: String, offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.message = message
    }

    public var description: String {
        if let offset { return "\(file): \(message) (at byte \(offset))" }
        return "\(file): \(message)"
    }
}
