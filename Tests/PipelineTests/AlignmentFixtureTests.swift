import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// Face 0's landmarks from real dlib (`fixtures/align/dlib_faces_and_landmarks.jsonl`).
func goldenLandmarks(_ file: String) throws -> [SIMD2<Double>] {
    let text = try String(contentsOf: Fixtures.url("align/dlib_faces_and_landmarks.jsonl"), encoding: .utf8)
    for line in text.split(separator: "\n") {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        guard object["file"] as? String == file else { continue }
        let faces = object["faces"] as! [[String: Any]]
        return (faces[0]["parts"] as! [[Int]]).map { SIMD2(Double($0[0]), Double($0[1])) }
    }
    Issue.record("no golden landmarks for \(file)")
    return []
}

func decodedPoints(_ value: Any?) -> [SIMD2<Double>] {
    (value as! [[Double]]).map { SIMD2($0[0], $0[1]) }
}

/// Compares an aligned image with `fixtures/align/<golden>.png`: the reference arithmetic is reproduced, so
/// at most ±1 LSB per byte (and therefore well above the issue's 45 dB).
func expectMatchesGoldenAlignment(_ image: RGBImage, golden: String) throws {
    let reference = try ImageCodec.read(Fixtures.url("align/\(golden).png"))
    try #require(image.width == reference.width && image.height == reference.height)
    let differences = zip(image.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
    let decibels = image.psnr(to: reference)
    print("alignment \(golden): PSNR \(decibels) dB, max |Δ| \(differences.max()!), bytes differing \(differences.filter { $0 > 0 }.count) of \(differences.count)")
    #expect(decibels >= 45)
    #expect(differences.max()! <= 1, "\(golden): max |Δ| \(differences.max()!)")
}

/// Aligns the fixture photos and compares every trace value and the image with the reference Python output.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)))
struct AlignmentFixtureTests {
    static let cases: [(golden: String, photo: String, variant: FFHQAlignmentVariant, size: Int)] = [
        ("grace_hopper_pti256", "grace_hopper.jpg", .pti, 256),
        ("grace_hopper_pti1024", "grace_hopper.jpg", .pti, 1024),
        ("grace_hopper_ffhq1024_ts4096", "grace_hopper.jpg", .ffhq, 1024),
        ("astronaut_pti256", "astronaut.png", .pti, 256),  // crop branch
        ("Tom_Cruise_avp_2014_4_pti256", "Tom_Cruise_avp_2014_4.jpg", .pti, 256),  // pad + blur + median branch
    ]

    @Test(arguments: cases.map(\.golden))
    func matchesReference(golden: String) throws {
        let setup = Self.cases.first { $0.golden == golden }!
        let photo = try ImageCodec.read(Fixtures.url("faces/\(setup.photo)"))
        let face = try FFHQAligner.align(image: photo, landmarks: goldenLandmarks(setup.photo),
                                         variant: setup.variant, outputSize: setup.size)

        let traceData = try Data(contentsOf: Fixtures.url("align/\(golden).trace.json"))
        let trace = try JSONSerialization.jsonObject(with: traceData) as! [String: Any]
        let pointError = { (a: [SIMD2<Double>], b: [SIMD2<Double>]) in
            zip(a, b).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max()!
        }
        #expect(pointError(face.trace.quad0, decodedPoints(trace["quad0"])) <= 1e-9)
        #expect(abs(face.trace.qsize0 - (trace["qsize0"] as! Double)) <= 1e-9)
        #expect(face.trace.shrink == trace["shrink"] as! Int)
        #expect(face.trace.border == trace["border"] as! Int)
        #expect(face.trace.crop == trace["crop"] as! [Int])
        #expect(face.trace.padRaw == trace["pad_raw"] as! [Int])
        #expect(face.trace.pad == trace["pad"] as? [Int])
        #expect(face.trace.blur.map { abs($0 - (trace["blur"] as! Double)) <= 1e-12 } ?? (trace["blur"] == nil))
        #expect(pointError(face.trace.quadFinal, decodedPoints(trace["quad_final"])) <= 1e-9)
        #expect(face.quad == face.trace.quad0)

        try expectMatchesGoldenAlignment(face.image, golden: golden)
    }

    /// Hashes of the reference Python port's output (Pillow 13, NumPy 2.4, SciPy 1.17) on cases the goldens
    /// lack: a shrink before the warp on a real photo.
    @Test func shrinkBranchMatchesReference() throws {
        let photo = try ImageCodec.read(Fixtures.url("faces/grace_hopper.jpg"))
        let face = try FFHQAligner.align(image: photo, landmarks: goldenLandmarks("grace_hopper.jpg"), variant: .pti, outputSize: 64)
        #expect(face.trace.shrink == 2)
        #expect(fnv1a(face.image.pixels) == 0xb1b7_ed33_ac4f_b332)
    }
}
