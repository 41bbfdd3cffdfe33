import Foundation

/// One requested edit and the factors to render it at, as written on the command line: `age=-3,3`.
public struct EditRequest: Sendable, Codable, Equatable {
    public var name: String
    public var factors: [Float]

    public init(name: String, factors: [Float]) {
        self.name = name
        self.factors = factors
    }

    /// Parses `NAME=F1,F2,...` (a bare `NAME` means factors −2 and 2).
    public init(parsing text: String) throws(EditError) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard let name = parts.first, !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw EditError("edit '\(text)': expected NAME=FACTOR[,FACTOR...] with a name of letters, digits, '_', '-' or '.'")
        }
        guard parts.count == 2 else {
            self.init(name: name, factors: [-2, 2])
            return
        }
        var factors: [Float] = []
        for field in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
            guard let factor = Float(field.trimmingCharacters(in: .whitespaces)), factor.isFinite else {
                throw EditError("edit '\(text)': '\(field)' is not a finite number")
            }
            factors.append(factor)
        }
        self.init(name: name, factors: factors)
    }

    /// The output file stem for one factor: `age_-3`, `smile_2.5`.
    public static func outputStem(name: String, factor: Float) -> String {
        let text = factor == factor.rounded() && abs(factor) < 1e9 ? String(Int(factor)) : "\(factor)"
        return "\(name)_\(text)"
    }
}
