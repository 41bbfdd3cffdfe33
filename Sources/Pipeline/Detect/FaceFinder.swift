import Foundation

/// A face in a photo: where the detector found it and its 68 landmarks, in full-resolution pixels.
public struct FoundFace: Sendable, Equatable {
    /// Inclusive pixel rectangle (dlib's detection box).
    public var box: PixelRect
    /// Detector score minus threshold (dlib's `detection_confidence`).
    public var confidence: Double
    /// The detector filter that fired (dlib's `weight_index`, 0–4).
    public var filterIndex: Int
    /// The iBUG 68 points (specs/align.md §5.3), whole pixels as dlib returns them.
    public var landmarks: [PixelPoint]

    public init(box: PixelRect, confidence: Double, filterIndex: Int, landmarks: [PixelPoint]) {
        self.box = box; self.confidence = confidence; self.filterIndex = filterIndex; self.landmarks = landmarks
    }
}

/// Finds every face in a photo: dlib's HOG detector, then the 68-point shape predictor on each box.
///
/// Faces come in the detector's order, confidence descending (ties: filter, then pyramid level, then
/// raster order), so face 0 is the most confident. PTI itself keeps only the *last* (least confident)
/// detection; Pivot keeps them all.
///
/// Large photos: detection runs on a copy shrunk by an integer factor k (k×k box average) so that it has at
/// most `detectionPixelBudget` pixels; boxes are scaled back (`l·k`, `r·k + k − 1`) and the landmarks are
/// computed on the full-resolution photo. Photos within the budget are processed as they are, so their
/// results equal dlib's exactly.
public struct FaceFinder: Sendable {
    public var detector: FrontalFaceDetector
    public var predictor: ShapePredictor
    /// Doublings before detection (dlib's `upsample_num_times`; PTI uses 1).
    public var upsample: Int
    /// Largest photo (in pixels) detected at full resolution; 0 means no limit.
    public var detectionPixelBudget: Int

    public static let defaultDetectionPixelBudget = 1 << 20

    public init(detector: FrontalFaceDetector, predictor: ShapePredictor, upsample: Int = 1,
                detectionPixelBudget: Int = FaceFinder.defaultDetectionPixelBudget) {
        self.detector = detector
        self.predictor = predictor
        self.upsample = upsample
        self.detectionPixelBudget = detectionPixelBudget
    }

    /// The shrink factor used for a photo of this size (1 = detect at full resolution).
    public func detectionShrink(width: Int, height: Int) -> Int {
        guard detectionPixelBudget > 0 else { return 1 }
        var k = 1
        while (width / k) * (height / k) > detectionPixelBudget, width / (k + 1) > 0, height / (k + 1) > 0 { k += 1 }
        return k
    }

    /// Detected boxes only, in full-resolution pixels.
    public func detect(pixels: [UInt8], width: Int, height: Int) throws -> [FaceDetection] {
        try checkRGBBuffer(pixels, width: width, height: height)
        let k = detectionShrink(width: width, height: height)
        guard k > 1 else { return try detector.detect(pixels: pixels, width: width, height: height, upsample: upsample) }
        let small = boxShrink(RGBImage(width: width, height: height, pixels: pixels), by: k)
        return try detector.detect(pixels: small.pixels, width: small.width, height: small.height, upsample: upsample).map {
            var detection = $0
            detection.box = PixelRect(left: $0.box.left * k, top: $0.box.top * k,
                                      right: $0.box.right * k + k - 1, bottom: $0.box.bottom * k + k - 1)
            return detection
        }
    }

    /// Every face with its landmarks, most confident first.
    public func faces(pixels: [UInt8], width: Int, height: Int) throws -> [FoundFace] {
        try landmarks(for: detect(pixels: pixels, width: width, height: height), pixels: pixels, width: width, height: height)
    }

    /// The landmarks of each detection, on the full-resolution photo.
    public func landmarks(for detections: [FaceDetection], pixels: [UInt8], width: Int, height: Int) throws -> [FoundFace] {
        try detections.map { detection in
            FoundFace(box: detection.box, confidence: detection.confidence, filterIndex: detection.filterIndex,
                      landmarks: try predictor.landmarks(pixels: pixels, width: width, height: height, box: detection.box))
        }
    }
}

/// Shrinks by an integer factor, each output pixel the rounded mean of a k×k block (a trailing partial
/// block is dropped).
func boxShrink(_ image: RGBImage, by k: Int) -> RGBImage {
    let width = image.width / k, height = image.height / k
    var output = RGBImage(width: width, height: height)
    let area = k * k
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<3 {
                var sum = 0
                for dy in 0..<k {
                    let row = (y * k + dy) * image.width
                    for dx in 0..<k { sum += Int(image.pixels[(row + x * k + dx) * 3 + c]) }
                }
                output.pixels[(y * width + x) * 3 + c] = UInt8((sum + area / 2) / area)
            }
        }
    }
    return output
}

extension FaceFinder {
    /// Debian's libdlib-data file (installed by scripts/install-deps).
    public static let debianShapePredictorPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

    /// The built-in detector with Debian's 68-point model.
    public static func standard() throws -> FaceFinder {
        FaceFinder(detector: try .builtIn(), predictor: try ShapePredictor(contentsOf: URL(fileURLWithPath: debianShapePredictorPath)))
    }
}
