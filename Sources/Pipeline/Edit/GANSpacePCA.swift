/// GANSpace's principal components of W (`ffhq_pca.pt`: `mean` [1,512], `comp` [K,1,512] with unit-norm
/// rows, `std` [K]) and its layer-ranged edit, with the semantics of GANSpace/e4e/PTI's `edit()`.
public struct GANSpacePCA: Sendable {
    public let mean: [Float]
    /// Component k is `components[k]`, unit norm.
    public let components: [[Float]]
    public let standardDeviations: [Float]
    public var wDim: Int { mean.count }

    public init(mean: [Float], components: [[Float]], standardDeviations: [Float]) throws(EditError) {
        guard !mean.isEmpty, components.count == standardDeviations.count, !components.isEmpty,
              components.allSatisfy({ $0.count == mean.count }) else {
            throw EditError("GANSpace PCA: mean, comp and std do not agree in size")
        }
        self.mean = mean
        self.components = components
        self.standardDeviations = standardDeviations
    }

    /// Reads a GANSpace PCA file (dict with `mean`, `comp`, `std`; `comp` may be stored transposed).
    public static func load(path: String) throws -> GANSpacePCA {
        let file = try CheckpointFile.open(path)
        let comp = try file.tensors.tensor("comp")
        let count = comp.shape.first ?? 0
        let values = try file.tensors.floats("comp")   // logical (stride-aware) order
        guard count > 0, values.count % count == 0 else {
            throw EditError("\(path): 'comp' has shape \(comp.shape); expected [K,1,w_dim]")
        }
        let wDim = values.count / count
        return try GANSpacePCA(mean: file.tensors.floats("mean"),
                               components: (0..<count).map { Array(values[$0 * wDim ..< ($0 + 1) * wDim]) },
                               standardDeviations: file.tensors.floats("std"))
    }

    /// What a GANSpace edit does to the PCA coordinate of the chosen layers.
    public enum Mode: String, Sendable, CaseIterable {
        /// Upstream's semantics (the default): the coordinate, measured on layer 0 in units of the component's
        /// standard deviation, is SET to `strength` on layers `layers`.
        case set
        /// `strength` standard deviations are ADDED along the component on layers `layers`.
        case add
    }

    /// Edits layers `layers` (upstream's `start ..< end`) along component `component`.
    public func applied(to code: LatentCode, component: Int, layers: Range<Int>, strength: Float,
                        mode: Mode = .set) throws(EditError) -> LatentCode {
        guard code.wDim == wDim else { throw EditError("GANSpace PCA has w_dim \(wDim), the generator \(code.wDim)") }
        guard components.indices.contains(component) else {
            throw EditError("GANSpace component \(component) out of range 0..<\(components.count)")
        }
        guard layers.lowerBound >= 0, layers.upperBound <= code.numWs, !layers.isEmpty else {
            throw EditError("GANSpace layers \(layers.lowerBound)..<\(layers.upperBound) outside 0..<\(code.numWs)")
        }
        let direction = components[component]
        let sigma = Double(standardDeviations[component])
        var shift = Double(strength)
        if mode == .set {
            var coordinate = 0.0
            for j in 0..<wDim { coordinate += Double(code.values[j] - mean[j]) * Double(direction[j]) }
            shift -= coordinate / sigma
        }
        var edited = code
        for layer in layers {
            for j in 0..<wDim { edited.values[layer * wDim + j] += Float(shift * sigma * Double(direction[j])) }
        }
        return edited
    }
}

/// GANSpace presets from PTI's/e4e's editing wrapper: (component, layers, default strength).
public enum GANSpacePreset: String, CaseIterable, Sendable {
    case eyeOpenness = "eye_openness"
    case smile = "smile"
    case trimmedBeard = "trimmed_beard"

    public var component: Int { switch self { case .eyeOpenness: 54; case .smile: 46; case .trimmedBeard: 58 } }
    public var layers: Range<Int> { switch self { case .eyeOpenness: 7..<8; case .smile: 4..<5; case .trimmedBeard: 7..<9 } }
    public var defaultStrength: Float { switch self { case .eyeOpenness: 5; case .smile: -6; case .trimmedBeard: 7 } }
}
