import Foundation
import Pipeline
import PivotTestSupport
import Testing

@Suite("FaceFinder: detection plus landmarks")
struct FaceFinderTests {
    static var finder: FaceFinder? {
        guard let detector = SharedModels.detector, let predictor = SharedModels.shapePredictor else { return nil }
        return FaceFinder(detector: detector, predictor: predictor)
    }

    @Test("within the pixel budget, every face equals real dlib's: box, filter, order and 68 points",
          .enabled(if: Fixtures.available && SharedModels.shapePredictorAvailable, Comment(rawValue: Fixtures.missingMessage)),
          arguments: ["2008_001322.jpg", "astronaut.png", "camera.png"])
    func facesMatchDlib(file: String) throws {
        let finder = try #require(Self.finder)
        let golden = try #require(DlibGoldenPhoto.load().first { $0.file == file })
        let image = try fixturePhoto(file)
        #expect(finder.detectionShrink(width: image.width, height: image.height) == 1)
        let faces = try finder.faces(in: image)
        #expect(faces.map(\.box) == golden.faces.map(\.box))
        #expect(faces.map(\.landmarks) == golden.faces.map(\.points))
    }

    @Test("a photo over the budget is detected shrunk; boxes land near dlib's and landmarks stay close",
          .enabled(if: Fixtures.available && SharedModels.shapePredictorAvailable, Comment(rawValue: Fixtures.missingMessage)))
    func shrunkDetection() throws {
        var finder = try #require(Self.finder)
        finder.detectionPixelBudget = 150_000
        let golden = try #require(DlibGoldenPhoto.load().first { $0.file == "Tom_Cruise_avp_2014_4.jpg" })
        let image = try fixturePhoto(golden.file)
        #expect(finder.detectionShrink(width: image.width, height: image.height) == 2)
        let faces = try finder.faces(in: image)
        let face = try #require(faces.first)
        let expected = golden.faces[0]
        let overlap = Double(face.box.intersection(expected.box).area) / Double(face.box.boundingBox(expected.box).area)
        // The pyramid steps by 6/5, so a box found at another scale can differ by one step in size.
        #expect(overlap > 0.6, "box \(face.box) vs dlib \(expected.box)")
        // Landmarks within 4% of the box width of dlib's full-resolution points.
        let tolerance = Double(expected.box.width) * 0.04
        for (p, q) in zip(face.landmarks, expected.points) {
            #expect(hypot(Double(p.x - q.x), Double(p.y - q.y)) < tolerance, "\(p) vs \(q)")
        }
    }
}
