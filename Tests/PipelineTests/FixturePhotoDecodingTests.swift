import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// FNV-1a (64-bit) of the decoded RGB bytes, to compare with Pillow's decode without storing pixels.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

/// The fixture photos decode to exactly Pillow 13's `Image.open(f).convert("RGB")` pixels (libjpeg-turbo's
/// default islow decode): the detector and landmark goldens depend on these exact bytes.
@Suite(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)))
struct FixturePhotoDecodingTests {
    static let pillow: [(file: String, width: Int, height: Int, hash: UInt64)] = [
        ("2007_007763.jpg", 500, 375, 0x0d1d_bab6_6484_c981),
        ("2008_001322.jpg", 500, 375, 0x2616_eb54_4aa6_6125),
        ("Tom_Cruise_avp_2014_4.jpg", 565, 800, 0xa350_507b_1776_0971),
        ("astronaut.png", 512, 512, 0xfa4e_6bff_08e5_e8fb),
        ("camera.png", 512, 512, 0x350b_dd5a_5fce_b30e),  // 8-bit gray
        ("dogs.jpg", 900, 916, 0x8e80_f7b5_06d6_c88d),
        ("grace_hopper.jpg", 512, 600, 0xeaad_7eb6_36c7_0992),
        ("messi5.jpg", 548, 342, 0x295c_90f7_c506_2445),
    ]

    @Test(arguments: pillow.map(\.file))
    func decodesLikePillow(file: String) throws {
        let expected = Self.pillow.first { $0.file == file }!
        let image = try ImageCodec.read(Fixtures.url("faces/\(file)"))
        #expect(image.width == expected.width && image.height == expected.height)
        #expect(fnv1a(image.pixels) == expected.hash)
    }
}
