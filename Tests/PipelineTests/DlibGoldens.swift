import Foundation
import Pipeline
import PivotTestSupport

/// `fixtures/align/dlib_faces_and_landmarks.jsonl`: real dlib 19.24 detections and landmarks per photo.
struct DlibGoldenPhoto: Decodable, Sendable, CustomStringConvertible {
    struct Face: Decodable, Sendable {
        var left, top, right, bottom: Int
        var confidence: Double
        var weight_index: Int
        var parts: [[Int]]

        var box: PixelRect { PixelRect(left: left, top: top, right: right, bottom: bottom) }
        var points: [PixelPoint] { parts.map { PixelPoint(x: $0[0], y: $0[1]) } }
    }

    var file: String
    var width: Int
    var height: Int
    var upsample: Int
    var faces: [Face]

    var description: String { file }

    static func load() -> [DlibGoldenPhoto] {
        guard Fixtures.available,
              let text = try? String(contentsOf: Fixtures.url("align/dlib_faces_and_landmarks.jsonl"), encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONDecoder().decode(DlibGoldenPhoto.self, from: Data($0.utf8))
        }
    }
}

/// A fixture photo decoded as dlib's loader sees it (no EXIF rotation).
func fixturePhoto(_ name: String) throws -> RGBImage {
    try ImageCodec.read(Fixtures.url("faces/\(name)"), options: ImageReadOptions(appliesExifOrientation: false))
}
