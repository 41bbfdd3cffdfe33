import Foundation

/// What `pivot align` records about one photo (`<stem>.faces.json`): every face with its detection box,
/// confidence, filter, 68 landmarks and (once aligned) its alignment quad and image file.
/// Coordinates are pixels of the photo as decoded (after EXIF orientation, when that was applied).
public struct FaceReport: Codable, Sendable, Equatable {
    public struct Box: Codable, Sendable, Equatable {
        public var left, top, right, bottom: Int

        public init(_ rect: PixelRect) {
            left = rect.left; top = rect.top; right = rect.right; bottom = rect.bottom
        }
    }

    public struct Face: Codable, Sendable, Equatable {
        /// Inclusive pixel rectangle in the photo.
        public var box: Box
        /// Detector score minus threshold (dlib's `detection_confidence`).
        public var confidence: Double
        /// The detector filter that fired (dlib's `weight_index`, 0–4).
        public var filterIndex: Int
        /// 68 `[x, y]` pairs, whole pixels.
        public var landmarks: [[Int]]
        /// The alignment quad corners `[x, y]` (top-left, bottom-left, bottom-right, top-right), if aligned.
        public var quad: [[Double]]?
        /// The aligned image's file name, if one was written.
        public var image: String?

        public init(_ face: FoundFace, quad: [[Double]]? = nil, image: String? = nil) {
            box = Box(face.box)
            confidence = face.confidence
            filterIndex = face.filterIndex
            landmarks = face.landmarks.map { [$0.x, $0.y] }
            self.quad = quad
            self.image = image
        }

        public init(_ result: AlignedFaceResult, image: String?) {
            self.init(result.face, quad: result.alignment.quad.map { [$0.x, $0.y] }, image: image)
        }
    }

    public var file: String
    public var width: Int
    public var height: Int
    public var upsample: Int
    /// The integer factor the photo was shrunk by for detection (1 = full resolution).
    public var detectionShrink: Int
    /// The alignment variant (`pti` or `ffhq`) and the aligned images' side, if the faces were aligned.
    public var variant: String?
    public var size: Int?
    /// Most confident first (face i is written as `<stem>.face<i>.png`).
    public var faces: [Face]

    public init(file: String, width: Int, height: Int, upsample: Int, detectionShrink: Int,
                variant: String? = nil, size: Int? = nil, faces: [Face]) {
        self.file = file; self.width = width; self.height = height
        self.upsample = upsample; self.detectionShrink = detectionShrink
        self.variant = variant; self.size = size; self.faces = faces
    }

    /// Writes one line of JSON, keys sorted, atomically (temporary name, then rename). (Pretty-printing would
    /// put each landmark coordinate on a line of its own; `jq .` shows it indented.)
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = [UInt8](try encoder.encode(self))
        try AtomicFile.write(to: path) { try $0.write(bytes + [10]) }
    }
}
