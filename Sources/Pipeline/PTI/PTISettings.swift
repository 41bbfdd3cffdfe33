/// Every setting of a `pivot process` run; recorded whole in each report.
public struct PTISettings: Sendable, Codable, Equatable {
    public var projector = ProjectorSettings()
    public var tuning = TuningSettings()
    /// Empty: every loaded InterFaceGAN direction at factors −2 and 2.
    public var edits: [EditRequest] = []
    /// Halve InterFaceGAN factors as PTI's editing wrapper does (specs/pti.md §6.1); off: `w + factor·n`.
    public var halvesInterFaceGANFactors = false
    /// Every rendered image is written once per entry (`aligned.png` is always PNG).
    public var outputs = [OutputEncoding()]
    public var alignment = FFHQAlignmentVariant.pti
    /// dlib's detector upsampling (PTI: 1).
    public var upsample = 1
    /// Process only the most confident faces (nil: every face, as detected).
    public var maxFaces: Int?
    public var maxPixels = ImageReadOptions.defaultMaxPixels
    /// Also write `faceN/generator.safetensors` (the tuned generator, loadable with `--model`).
    public var saveGenerator = false

    public init() {}
}

extension FFHQAlignmentVariant: Codable {}

/// The format of every image a run writes.
public struct OutputEncoding: Sendable, Codable, Equatable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case png, jpg, webp
    }

    public var format = Format.png
    /// JPEG quality 1…100, WebP quality 0…100 (100 = lossless WebP).
    public var quality = 95

    public init(format: Format = .png, quality: Int = 95) {
        self.format = format
        self.quality = quality
    }

    public var encoding: ImageEncoding {
        switch format {
        case .png: .png
        case .jpg: .jpeg(quality: quality)
        case .webp: quality >= 100 ? .webpLossless : .webp(quality: Float(quality))
        }
    }

    public var fileExtension: String { format.rawValue }
}
