import Foundation

/// dlib's HOG frontal face detector (`object_detector<scan_fhog_pyramid<pyramid_down<6>>>`), loaded from its
/// plain serialised form (specs/align.md §3). Five 10×10-cell linear filters over 31-D fHOG features:
/// frontal, left profile, right profile, frontal rotated left, frontal rotated right.
public struct FrontalFaceDetector: Sendable {
    /// The dimensions this port implements; a file with other settings is refused.
    static let cellSize = 8
    static let filterCells = 10
    static let featurePlanes = 31
    static let minimumLevelSide = 64
    static let maximumLevels = 1000

    /// One linear filter: weights at `[plane][row][column]` (`plane·100 + row·10 + column`), and its threshold.
    public struct Filter: Sendable {
        public var weights: [Double]
        public var threshold: Double
    }

    public var filters: [Filter]
    /// NMS: two boxes overlap if intersection / bounding-box-of-both > `overlapIoU`, or intersection covers
    /// more than `overlapCovered` of either box (specs/align.md §4.7).
    public var overlapIoU: Double
    public var overlapCovered: Double

    /// Parses the plain detector file (155,005 bytes for dlib 19.24's built-in detector).
    public init(contentsOf url: URL) throws {
        try self.init(bytes: try readModelFile(url), file: url.path)
    }

    public init(bytes: [UInt8], file: String) throws {
        var reader = DlibStreamReader(bytes: bytes, file: file)
        try reader.expectVersion(2, of: "object_detector")
        try reader.expectVersion(1, of: "scan_fhog_pyramid")
        // The default fhog extractor writes nothing; then the cached feature array (max_size, size).
        let cachedMax = try reader.unsignedInteger("feature array max_size")
        let cachedSize = try reader.unsignedInteger("feature array size")
        guard cachedMax == 0, cachedSize == 0 else { throw reader.error("detector carries cached features") }
        let expected: [(String, UInt64)] = [
            ("cell_size", UInt64(Self.cellSize)), ("padding", 0),
            ("window_width", UInt64(Self.cellSize * Self.filterCells)),
            ("window_height", UInt64(Self.cellSize * Self.filterCells)),
            ("max_pyramid_levels", UInt64(Self.maximumLevels)),
            ("min_pyramid_layer_width", UInt64(Self.minimumLevelSide)),
            ("min_pyramid_layer_height", UInt64(Self.minimumLevelSide)),
        ]
        for (name, value) in expected {
            let found = try reader.unsignedInteger(name)
            guard found == value else { throw reader.error("\(name) is \(found); this port supports only \(value)") }
        }
        _ = try reader.double("nuclear_norm_regularization_strength")  // a training setting
        let dimensions = Self.filterCells * Self.filterCells * Self.featurePlanes
        let storedDimensions = try reader.signedInteger("num_dimensions")
        guard storedDimensions == dimensions else {
            throw reader.error("num_dimensions is \(storedDimensions), expected \(dimensions)")
        }
        overlapIoU = try reader.double("overlap iou_thresh")
        overlapCovered = try reader.double("overlap percent_covered_thresh")
        filters = try reader.vector("filters", minimumElementBytes: 2 * (dimensions + 1)) { reader in
            let w = try reader.columnVector("filter weights") { try $0.double("filter weight") }
            guard w.count == dimensions + 1 else {
                throw reader.error("filter has \(w.count) entries, expected \(dimensions + 1)")
            }
            return Filter(weights: Array(w.dropLast()), threshold: w[dimensions])
        }
        guard !filters.isEmpty else { throw reader.error("detector has no filters") }
        try reader.expectEnd()
    }
}

/// Reads a whole model file, with an error that names it.
func readModelFile(_ url: URL) throws -> [UInt8] {
    do {
        return [UInt8](try Data(contentsOf: url, options: .mappedIfSafe))
    } catch {
        throw DlibFormatError(file: url.path, offset: 0, reason: "cannot read the file (\(error.localizedDescription))")
    }
}

extension FrontalFaceDetector {
    /// Where the built-in detector file is: dlib 19.24's detector, shipped with Pivot as a resource (Boost
    /// licence; provenance in `Detect/Resources/dlib_frontal_face_detector.NOTICE.txt`, rebuilt by
    /// `scripts/make-dlib-detector`).
    public static var builtInFileURL: URL? {
        Bundle.module.url(forResource: "dlib_frontal_face_detector", withExtension: "dat")
    }

    public static func builtIn() throws -> FrontalFaceDetector {
        guard let url = builtInFileURL else {
            throw DlibFormatError(file: "dlib_frontal_face_detector.dat", offset: 0,
                                  reason: "resource missing from the Pipeline bundle")
        }
        return try FrontalFaceDetector(contentsOf: url)
    }
}
