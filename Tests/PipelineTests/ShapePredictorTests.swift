import Foundation
import Pipeline
import PivotTestSupport
import Testing

@Suite("dlib 68-point shape predictor")
struct ShapePredictorTests {
    @Test("parses the Debian 68-point model: 15 cascades, 68 landmarks",
          .enabled(if: SharedModels.shapePredictorAvailable, "needs libdlib-data (scripts/install-deps)"))
    func parsesModel() throws {
        let predictor = try #require(SharedModels.shapePredictor)
        #expect(predictor.landmarkCount == 68)
        #expect(predictor.cascadeCount == 15)
    }

    @Test("landmarks equal real dlib's on every fixture box, all 68 points",
          .enabled(if: Fixtures.available && SharedModels.shapePredictorAvailable, Comment(rawValue: Fixtures.missingMessage)),
          arguments: DlibGoldenPhoto.load().filter { !$0.faces.isEmpty })
    func landmarksMatchDlib(photo: DlibGoldenPhoto) throws {
        let predictor = try #require(SharedModels.shapePredictor)
        let image = try fixturePhoto(photo.file)
        for (i, face) in photo.faces.enumerated() {
            let points = try predictor.landmarks(in: image, box: face.box)
            let wrong = zip(points, face.points).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(wrong.isEmpty, "\(photo.file) face \(i): \(wrong.count) points differ, first \(wrong.prefix(3).map { "#\($0.offset) \($0.element.0) vs \($0.element.1)" })")
        }
    }
}
