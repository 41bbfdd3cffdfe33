import Foundation
import Pipeline
import PivotTestSupport
import Testing

@Suite("dlib HOG frontal face detector")
struct FrontalFaceDetectorTests {
    @Test("boxes, filters and order equal real dlib's, confidences within 1e-5",
          .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: DlibGoldenPhoto.load())
    func detectionsMatchDlib(photo: DlibGoldenPhoto) throws {
        let detector = try #require(SharedModels.detector)
        let image = try fixturePhoto(photo.file)
        let found = try detector.detect(image, upsample: photo.upsample)
        #expect(found.map(\.box) == photo.faces.map(\.box), "\(photo.file)")
        #expect(found.map(\.filterIndex) == photo.faces.map(\.weight_index), "\(photo.file)")
        for (face, golden) in zip(found, photo.faces) {
            #expect(abs(face.confidence - golden.confidence) < 1e-5, "\(photo.file) \(face.box): \(face.confidence) vs \(golden.confidence)")
        }
    }
}

@Suite("dlib HOG detector on the other fixture photos")
struct FrontalFaceDetectorNegativeTests {
    @Test("dogs.jpg and camera.png have no faces", .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: ["dogs.jpg", "camera.png"])
    func noFaces(file: String) throws {
        let detector = try #require(SharedModels.detector)
        #expect(try detector.detect(try fixturePhoto(file)).isEmpty)
    }

    static var chips: [String] {
        let folder = Fixtures.url("faces/johns")
        let people = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return people.sorted().flatMap { person in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(person).path)) ?? [])
                .filter { $0.hasSuffix(".jpg") }.sorted().map { "johns/\(person)/\($0)" }
        }
    }

    @Test("each of the 33 face chips has exactly one face (dlib 19.24 finds one in each)",
          .enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)))
    func oneFacePerChip() throws {
        let detector = try #require(SharedModels.detector)
        let chips = Self.chips
        #expect(chips.count == 33)
        for chip in chips {
            let found = try detector.detect(try fixturePhoto(chip))
            #expect(found.count == 1, "\(chip): \(found.map(\.box))")
        }
    }
}
