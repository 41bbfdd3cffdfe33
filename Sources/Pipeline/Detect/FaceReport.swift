import Foundation

/// What `pivot align` records about one photo (`<stem>.faces.json`): every face with its detection box,
/// confidence, filter, 68 landmarks and (once aligned) its alignment quad.
public struct FaceReport: Codable, Sendable, Equatable {
    public struct Box: Codable, Sendable, Equatable {
        public var left, top, right, bottom: Int
    }

    public struct Face: Codable, Sendable, Equatable {
        /// Inclusive pixel rectangle in the photo.
        public var box: Box
        public var confidence: Double
        public var filterIndex: Int
        /// 68 `[x, y]` pairs, whole pixels.
        public var landmarks: [[Int]]
        /// The alignment quad corners `[x, y]` (top-left, bottom-left, bottom-right, top-right), if aligned.
        public var quad: [[Double]]?
        /// The aligned image's file name, if one was written.
        public var image: String?

        public init(_ face: FoundFace, quad: [[Double]]? = nil, image: String? = nil) {
            box = Box(left: face.box.left, top: face.box.top, right: face.box.right, bottom: face.box.bottom)
            confidence = face.confidence
            filterIndex = face.filterIndex
            landmarks = face.landmarks.map { [$0.x, $0.y] }
            self.quad = quad
            self.image = image
        }
    }

    public var file: String
    public var width: Int
    public var height: Int
    public var upsample: Int
    /// The integer factor the photo was shrunk by for detection (1 = full resolution).
    public var detectionShrink: Int
    /// Most confident first (face i is written as `<stem>.face<i>.png`).
    public var faces: [Face]

    public init(file: String, width: Int, height: Int, upsample: Int, detectionShrink: Int, faces: [Face]) {
        self.file = file; self.width = width; self.height = height
        self.upsample = upsample; self.detectionShrink = detectionShrink; self.faces = faces
    }

    /// Writes pretty-printed JSON atomically (temporary name, then rename).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = [UInt8](try encoder.encode(self))
        try AtomicFile.write(to: path) { try $0.write(bytes + [10]) }
    }
}
