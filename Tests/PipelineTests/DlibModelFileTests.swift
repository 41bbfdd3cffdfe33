import Foundation
import Pipeline
import PivotTestSupport
import Testing

@Suite("dlib model files")
struct DlibModelFileTests {
    @Test("the shipped detector is byte-identical to the fixture made from real dlib",
          .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)))
    func shippedDetectorBytes() throws {
        let shipped = try Data(contentsOf: try #require(FrontalFaceDetector.builtInFileURL))
        let fixture = try Data(contentsOf: Fixtures.url("align/dlib_frontal_face_detector_plain.dat"))
        #expect(shipped.count == 155_005)
        #expect(shipped == fixture)
    }

    @Test("the detector parses to five filters with dlib's thresholds and overlap test")
    func detectorSummary() throws {
        let detector = try FrontalFaceDetector.builtIn()
        #expect(detector.filters.count == 5)
        let thresholds = detector.filters.map(\.threshold)
        for (found, expected) in zip(thresholds, [3.274496, 3.986822, 3.895936, 3.514869, 3.558029]) {
            #expect(abs(found - expected) < 5e-7)
        }
        let largest = detector.filters.map { $0.weights.map(abs).max()! }
        for (found, expected) in zip(largest, [0.2723, 0.3739, 0.3420, 0.3532, 0.3424]) {
            #expect(abs(found - expected) < 5e-5)
        }
        #expect(detector.filters.allSatisfy { $0.weights.count == 3100 })
        #expect(detector.overlapIoU == 0.33008212188056446)
        #expect(detector.overlapCovered == 0.7885714285714286)
    }

    @Test("every truncation of the detector file is refused with an error naming the file")
    func truncatedDetector() throws {
        let bytes = [UInt8](try Data(contentsOf: try #require(FrontalFaceDetector.builtInFileURL)))
        for cut in [0, 1, 5, 17, 40, 1000, 77_777, bytes.count - 1] {
            #expect(throws: DlibFormatError.self) { try FrontalFaceDetector(bytes: Array(bytes[..<cut]), file: "cut.dat") }
        }
        #expect(throws: DlibFormatError.self) { try FrontalFaceDetector(bytes: bytes + [0], file: "long.dat") }
        do {
            _ = try FrontalFaceDetector(bytes: Array(bytes[..<1000]), file: "cut.dat")
        } catch let error as DlibFormatError {
            #expect(error.description.hasPrefix("cut.dat: "))
        }
    }

    @Test("a huge count is refused before anything is allocated")
    func hugeCounts() {
        // version 1, then an initial_shape matrix claiming 2^56 rows.
        let bytes: [UInt8] = [0x01, 0x01, 0x88, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x81, 0x01, 0x00]
        #expect(throws: DlibFormatError.self) { try ShapePredictor(bytes: bytes, file: "huge.dat") }
        // A control byte with reserved bits set, and an integer longer than its type.
        #expect(throws: DlibFormatError.self) { try ShapePredictor(bytes: [0x31, 0x01], file: "bad.dat") }
        #expect(throws: DlibFormatError.self) { try ShapePredictor(bytes: [0x05, 1, 0, 0, 0, 0], file: "bad.dat") }
    }

    @Test("the 68-point model parses to exactly its 99,693,937 bytes (a missing last byte is an error)",
          .enabled(if: SharedModels.shapePredictorAvailable, "needs libdlib-data (scripts/install-deps)"))
    func shapePredictorTruncation() throws {
        let bytes = [UInt8](try Data(contentsOf: SharedModels.shapePredictorURL))
        #expect(bytes.count == 99_693_937)
        #expect(throws: DlibFormatError.self) { try ShapePredictor(bytes: Array(bytes.dropLast()), file: "cut.dat") }
    }
}

@Suite("dlib detector and predictor inputs")
struct DlibInputTests {
    @Test("a flat image has no faces; any upsampling; odd sizes", arguments: [(1, 1), (7, 5), (64, 64), (201, 150)])
    func flatImageHasNoFaces(size: (width: Int, height: Int)) throws {
        let detector = try FrontalFaceDetector.builtIn()
        let pixels = [UInt8](repeating: 128, count: size.width * size.height * 3)
        for upsample in 0...1 {
            #expect(try detector.detect(pixels: pixels, width: size.width, height: size.height, upsample: upsample).isEmpty)
        }
    }

    @Test("wrong buffer sizes and upsampling factors are errors, not crashes")
    func badBuffers() throws {
        let detector = try FrontalFaceDetector.builtIn()
        #expect(throws: PixelBufferError.self) { try detector.detect(pixels: [1, 2, 3], width: 2, height: 1) }
        #expect(throws: PixelBufferError.self) { try detector.detect(pixels: [], width: 0, height: 0) }
        #expect(throws: PixelBufferError.self) { try detector.detect(pixels: [1, 2, 3], width: 1, height: 1, upsample: -1) }
        #expect(throws: PixelBufferError.self) { try detector.detect(pixels: [1, 2, 3], width: Int.max, height: 3) }
    }
}

@Suite("dlib shape predictor inputs")
struct ShapePredictorInputTests {
    @Test("landmarks on a flat image stay near the box; absurd boxes are errors",
          .enabled(if: SharedModels.shapePredictorAvailable, "needs libdlib-data (scripts/install-deps)"))
    func flatImageAndBadBoxes() throws {
        let predictor = try #require(SharedModels.shapePredictor)
        let pixels = [UInt8](repeating: 90, count: 120 * 100 * 3)
        let box = PixelRect(left: 20, top: 10, right: 99, bottom: 89)
        let points = try predictor.landmarks(pixels: pixels, width: 120, height: 100, box: box)
        #expect(points.count == 68)
        // The mean shape spans x 0.03…0.97 and y 0.16…1.07 of the box; a flat image moves it only a little.
        #expect(points.allSatisfy { $0.x > 0 && $0.x < 120 && $0.y > 0 && $0.y < 110 })
        #expect(throws: PixelBufferError.self) {
            try predictor.landmarks(pixels: pixels, width: 120, height: 100,
                                    box: PixelRect(left: Int.min, top: 0, right: Int.max, bottom: 5))
        }
    }
}
