import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// `FaceFinder.alignFaces` (photo -> aligned faces) and `alignPhoto` (the files `pivot align` writes).
@Suite(.enabled(if: Fixtures.available && SharedModels.shapePredictorAvailable, Comment(rawValue: Fixtures.missingMessage)))
struct FaceAlignmentTests {
    static var finder: FaceFinder {
        get throws { try #require(FaceFinderTests.finder) }
    }

    static func golden(_ file: String) throws -> DlibGoldenPhoto {
        try #require(DlibGoldenPhoto.load().first { $0.file == file }, "no dlib golden for \(file)")
    }

    @Test("every photo: as many faces as dlib, in dlib's order, each aligned to the requested size",
          arguments: DlibGoldenPhoto.load())
    func faceCountsMatchDlib(golden: DlibGoldenPhoto) throws {
        let faces = try Self.finder.alignFaces(in: fixturePhoto(golden.file), variant: .pti, outputSize: 48)
        #expect(faces.count == golden.faces.count)
        #expect(faces.map(\.face.box) == golden.faces.map(\.box))
        #expect(faces.map(\.face.landmarks) == golden.faces.map(\.points))
        for face in faces {
            #expect(face.image.width == 48 && face.image.height == 48)
        }
    }

    @Test("no face in dogs.jpg")
    func dogsHaveNoFace() throws {
        #expect(try Self.finder.alignFaces(in: fixturePhoto("dogs.jpg")).isEmpty)
    }

    @Test("face 0 equals the reference alignment", arguments: AlignmentFixtureTests.cases.map(\.golden))
    func firstFaceMatchesGolden(golden: String) throws {
        let setup = try #require(AlignmentFixtureTests.cases.first { $0.golden == golden })
        let faces = try Self.finder.alignFaces(in: fixturePhoto(setup.photo), variant: setup.variant, outputSize: setup.size)
        #expect(faces.count == (try Self.golden(setup.photo)).faces.count)
        let first = try #require(faces.first)
        try expectMatchesGoldenAlignment(first.image, golden: golden)
    }

    @Test("an impossible output size is refused before detection")
    func badOutputSize() throws {
        #expect(throws: AlignmentError.self) {
            try Self.finder.alignFaces(in: RGBImage(width: 8, height: 8), outputSize: FFHQAligner.maxOutputSize + 1)
        }
    }

    @Test("alignPhoto writes <stem>.face<i>.png per face and <stem>.faces.json naming them")
    func fileContract() throws {
        let folder = try temporaryFolder("align")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photoPath = Fixtures.url("faces/2008_001322.jpg").path
        let report = try Self.finder.alignPhoto(at: photoPath, into: folder, variant: .pti, outputSize: 64)
        let expected = try Self.finder.alignFaces(in: ImageCodec.read(URL(fileURLWithPath: photoPath)), variant: .pti, outputSize: 64)

        let names = (0..<3).map { "2008_001322.face\($0).png" }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
                == (names + ["2008_001322.faces.json"]).sorted(), "exactly these files, no temporary left behind")
        #expect(report.file == "2008_001322.jpg" && report.width == 500 && report.height == 375)
        #expect(report.variant == "pti" && report.size == 64 && report.upsample == 1 && report.detectionShrink == 1)
        #expect(report.faces.map(\.image) == names)
        for (index, face) in expected.enumerated() {
            #expect(try ImageCodec.read(URL(fileURLWithPath: folder + "/" + names[index])) == face.image)
            let written = report.faces[index]
            #expect(written.box == FaceReport.Box(face.face.box))
            #expect(written.confidence == face.face.confidence && written.filterIndex == face.face.filterIndex)
            #expect(written.landmarks == face.face.landmarks.map { [$0.x, $0.y] })
            #expect(written.quad == face.alignment.quad.map { [$0.x, $0.y] })
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/2008_001322.faces.json"))
        #expect(try JSONDecoder().decode(FaceReport.self, from: data) == report)
    }

    @Test("a photo without a face gets a report with no faces and no image")
    func facelessPhotoWritesOnlyTheReport() throws {
        let folder = try temporaryFolder("align")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try Self.finder.alignPhoto(at: Fixtures.url("faces/dogs.jpg").path, into: folder, outputSize: 64)
        #expect(report.faces.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["dogs.faces.json"])
    }

    @Test("an unreadable photo throws an ImageError naming it and writes nothing")
    func unreadablePhoto() throws {
        let folder = try temporaryFolder("align")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photo = folder + "/notes.jpg"
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: photo))
        let error = try #require(throws: ImageError.self) { try Self.finder.alignPhoto(at: photo, into: folder) }
        #expect(error.kind == .unknownFormat && error.file == photo)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.jpg"])
    }
}

@Suite struct FaceReportTests {
    static let report = FaceReport(
        file: "group photo.jpg", width: 640, height: 480, upsample: 1, detectionShrink: 2, variant: "ffhq", size: 256,
        faces: [FaceReport.Face(FoundFace(box: PixelRect(left: -3, top: 10, right: 90, bottom: 103), confidence: 0.125,
                                          filterIndex: 4, landmarks: (0..<68).map { PixelPoint(x: $0, y: 2 * $0 - 7) }),
                                quad: [[0.5, -1.25], [1e-3, 7], [640.75, 480], [3, 1.0 / 3]], image: "group photo.face0.png"),
                FaceReport.Face(FoundFace(box: PixelRect(left: 1, top: 2, right: 3, bottom: 4), confidence: 2.5,
                                          filterIndex: 0, landmarks: []))])

    @Test("write then decode gives the same report, with the documented keys")
    func roundTrip() throws {
        let folder = try temporaryFolder("report")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/group photo.faces.json"
        try Self.report.write(to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try JSONDecoder().decode(FaceReport.self, from: data) == Self.report)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["file", "width", "height", "upsample", "detectionShrink", "variant", "size", "faces"])
        let face = try #require((object["faces"] as? [[String: Any]])?.first)
        #expect(Set(face.keys) == ["box", "confidence", "filterIndex", "landmarks", "quad", "image"])
        #expect(face["box"] as? [String: Int] == ["left": -3, "top": 10, "right": 90, "bottom": 103])
    }

    @Test("file names derive from the photo's stem")
    func fileNames() {
        let files = AlignedFaceFiles(folder: "/out", photo: "/photos/group photo.2024.jpg")
        #expect(files.stem == "group photo.2024")
        #expect(files.imageName(face: 3) == "group photo.2024.face3.png")
        #expect(files.reportName == "group photo.2024.faces.json")
        #expect(files.path(of: files.reportName) == "/out/group photo.2024.faces.json")
    }
}
