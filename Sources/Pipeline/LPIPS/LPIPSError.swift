/// What can go wrong when building or calling LPIPS; every message says which file or input is at fault.
public enum LPIPSError: Error, CustomStringConvertible, Equatable {
    /// A weight file is readable but does not hold what this net needs.
    case weights(file: String, String)
    /// An input image has a size or layout LPIPS cannot use.
    case input(String)

    public var description: String {
        switch self {
        case .weights(let file, let message): return "\(file): \(message)"
        case .input(let message): return "LPIPS input: \(message)"
        }
    }
}
