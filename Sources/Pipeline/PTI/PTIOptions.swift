import Foundation

/// The user-facing knobs of a PTI run, every one optional, as a config file (JSON) and flags give them;
/// `merged(over:)` lets flags win over the file, `resolved()` fills in the defaults.
public struct PTIOptions: Sendable, Codable, Equatable {
    public var model: String?
    /// Folder searched for weight files not given explicitly (default `models`).
    public var modelsFolder: String?
    public var vggTrunk: String?
    public var alexTrunk: String?
    public var vggHeads: String?
    public var alexHeads: String?
    public var directions: [String]?
    /// `NAME=F1,F2` each.
    public var edits: [String]?
    /// Halve InterFaceGAN factors as PTI's wrapper does.
    public var upstreamFactors: Bool?
    public var invertSteps: Int?
    public var tuneSteps: Int?
    /// "w" or "w+".
    public var latent: String?
    public var locality: Bool?
    /// Comma-separated: png, jpg, webp.
    public var format: String?
    public var quality: Int?
    public var saveGenerator: Bool?
    public var seed: UInt64?
    /// "pti" or "ffhq".
    public var variant: String?
    public var upsample: Int?
    public var maxFaces: Int?
    public var maxPixels: Int?

    public init() {}

    /// Reads a JSON object with the keys above; an unknown key is an error, so a typo does not go unnoticed.
    public static func load(_ path: String) throws -> PTIOptions {
        guard let data = FileManager.default.contents(atPath: path) else { throw PTIOptionsError("cannot read config file \(path)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw PTIOptionsError("config file \(path) is not a JSON object")
        }
        let known = Set(keyNames)
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw PTIOptionsError("config file \(path): unknown key \"\(unknown)\" (known: \(known.sorted().joined(separator: ", ")))")
        }
        do { return try JSONDecoder().decode(PTIOptions.self, from: data) } catch {
            throw PTIOptionsError("config file \(path): \(error)")
        }
    }

    /// These options, with every unset one taken from `base`.
    public func merged(over base: PTIOptions) -> PTIOptions {
        var merged = self
        for key in CodingKeys.allCases {
            switch key {
            case .model: merged.model = model ?? base.model
            case .modelsFolder: merged.modelsFolder = modelsFolder ?? base.modelsFolder
            case .vggTrunk: merged.vggTrunk = vggTrunk ?? base.vggTrunk
            case .alexTrunk: merged.alexTrunk = alexTrunk ?? base.alexTrunk
            case .vggHeads: merged.vggHeads = vggHeads ?? base.vggHeads
            case .alexHeads: merged.alexHeads = alexHeads ?? base.alexHeads
            case .directions: merged.directions = directions ?? base.directions
            case .edits: merged.edits = edits ?? base.edits
            case .upstreamFactors: merged.upstreamFactors = upstreamFactors ?? base.upstreamFactors
            case .invertSteps: merged.invertSteps = invertSteps ?? base.invertSteps
            case .tuneSteps: merged.tuneSteps = tuneSteps ?? base.tuneSteps
            case .latent: merged.latent = latent ?? base.latent
            case .locality: merged.locality = locality ?? base.locality
            case .format: merged.format = format ?? base.format
            case .quality: merged.quality = quality ?? base.quality
            case .saveGenerator: merged.saveGenerator = saveGenerator ?? base.saveGenerator
            case .seed: merged.seed = seed ?? base.seed
            case .variant: merged.variant = variant ?? base.variant
            case .upsample: merged.upsample = upsample ?? base.upsample
            case .maxFaces: merged.maxFaces = maxFaces ?? base.maxFaces
            case .maxPixels: merged.maxPixels = maxPixels ?? base.maxPixels
            }
        }
        return merged
    }

    /// The model files and settings these options describe, defaults filled in and every value checked.
    public func resolved() throws -> (files: PTIModelFiles, settings: PTISettings) {
        let files = PTIModelFiles(model: model, vggTrunk: vggTrunk, alexTrunk: alexTrunk, vggHeads: vggHeads,
                                  alexHeads: alexHeads, directions: directions ?? [])
            .withDefaults(in: modelsFolder ?? "models")
        var settings = PTISettings()
        settings.edits = try (edits ?? []).map { try EditRequest(parsing: $0) }
        if let invertSteps {
            guard invertSteps >= 1 else { throw PTIOptionsError("invert steps must be at least 1 (got \(invertSteps))") }
            settings.projector.steps = invertSteps
        }
        if let tuneSteps {
            guard tuneSteps >= 0 else { throw PTIOptionsError("tune steps must not be negative (got \(tuneSteps))") }
            settings.tuning.steps = tuneSteps
        }
        if let latent {
            guard let space = LatentSpace(rawValue: latent) else { throw PTIOptionsError("latent space '\(latent)': use w or w+") }
            settings.projector.latentSpace = space
        }
        if locality == true { settings.tuning.locality = LocalityRegularization() }
        if let seed {
            settings.projector.seed = seed
            settings.tuning.locality?.seed = seed
        }
        if let quality, !(1...100).contains(quality) { throw PTIOptionsError("quality \(quality) is not in 1...100") }
        if let format {
            settings.outputs = try format.split(separator: ",").map { field in
                let name = field.trimmingCharacters(in: .whitespaces).lowercased()
                guard let parsed = OutputEncoding.Format(rawValue: name == "jpeg" ? "jpg" : name) else {
                    throw PTIOptionsError("output format '\(field)': use png, jpg or webp")
                }
                return OutputEncoding(format: parsed, quality: quality ?? OutputEncoding().quality)
            }
            guard !settings.outputs.isEmpty else { throw PTIOptionsError("no output format given") }
        } else if let quality {
            settings.outputs = settings.outputs.map { OutputEncoding(format: $0.format, quality: quality) }
        }
        if let variant {
            guard let parsed = FFHQAlignmentVariant(rawValue: variant) else { throw PTIOptionsError("alignment variant '\(variant)': use pti or ffhq") }
            settings.alignment = parsed
        }
        if let upsample {
            guard (0...4).contains(upsample) else { throw PTIOptionsError("upsample \(upsample) is not in 0...4") }
            settings.upsample = upsample
        }
        if let maxFaces {
            guard maxFaces >= 1 else { throw PTIOptionsError("max faces must be at least 1") }
            settings.maxFaces = maxFaces
        }
        if let maxPixels {
            guard maxPixels > 0 else { throw PTIOptionsError("max pixels must be positive") }
            settings.maxPixels = maxPixels
        }
        settings.saveGenerator = saveGenerator ?? false
        settings.halvesInterFaceGANFactors = upstreamFactors ?? false
        return (files, settings)
    }

    /// Every key a config file may use.
    public static var keyNames: [String] { CodingKeys.allCases.map(\.stringValue) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, modelsFolder, vggTrunk, alexTrunk, vggHeads, alexHeads, directions, edits, upstreamFactors, invertSteps,
             tuneSteps, latent, locality, format, quality, saveGenerator, seed, variant, upsample, maxFaces, maxPixels
    }
}

/// A config file or option value that cannot be used; the message says which and why.
public struct PTIOptionsError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
