import Foundation
import Pipeline
import Testing

/// The synthetic photo of the reference hashes below: pixel (x, y) = ((37x + 11y), (5x + 23y), xy) mod 256.
func syntheticPhoto(width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            image[x, y, 0] = UInt8((x * 37 + y * 11) % 256)
            image[x, y, 1] = UInt8((x * 5 + y * 23) % 256)
            image[x, y, 2] = UInt8((x * y) % 256)
        }
    }
    return image
}

/// astronaut.png's dlib landmarks (face 0 in dlib_faces_and_landmarks.jsonl), as a shape to place anywhere.
let astronautLandmarks: [SIMD2<Double>] = [
    [179, 104], [180, 116], [181, 127], [182, 139], [185, 150], [191, 160], [200, 168], [209, 176], [220, 178],
    [232, 177], [243, 171], [253, 163], [260, 154], [265, 143], [268, 131], [270, 120], [272, 108], [186, 94],
    [192, 88], [200, 87], [208, 89], [216, 92], [236, 93], [244, 91], [252, 91], [260, 92], [265, 99], [226, 102],
    [225, 111], [225, 119], [225, 127], [214, 131], [219, 133], [224, 134], [229, 133], [234, 132], [195, 101],
    [200, 98], [207, 98], [212, 104], [206, 104], [199, 104], [237, 106], [243, 100], [250, 100], [255, 105],
    [250, 107], [244, 107], [201, 139], [209, 139], [218, 139], [224, 141], [230, 140], [238, 140], [246, 141],
    [238, 151], [229, 155], [222, 156], [216, 155], [208, 150], [204, 141], [218, 143], [223, 144], [230, 143],
    [243, 142], [229, 150], [223, 151], [217, 150],
].map { SIMD2($0[0], $0[1]) }

@Suite struct FFHQAlignerTests {
    /// A face quad 3-6 times larger than the photo: padding far beyond the image repeats NumPy's reflection.
    static let photo = syntheticPhoto(width: 24, height: 18)
    static let landmarks = astronautLandmarks.map { ($0 - SIMD2(220, 130)) * 0.5 + SIMD2(12, 9) }

    @Test func heavyPaddingMatchesReference() throws {
        let face = try FFHQAligner.align(image: Self.photo, landmarks: Self.landmarks, variant: .pti, outputSize: 48)
        #expect(face.trace.pad == [41, 58, 45, 34])
        #expect(face.image.width == 48 && face.image.height == 48)
        #expect(fnv1a(face.image.pixels) == 0x8699_c729_4928_7018)
    }

    @Test func ffhqVariantWithShrinkMatchesReference() throws {
        let face = try FFHQAligner.align(image: Self.photo, landmarks: Self.landmarks, variant: .ffhq, outputSize: 16)
        #expect(face.trace.shrink == 2 && face.trace.pad == [20, 29, 22, 17])
        #expect(fnv1a(face.image.pixels) == 0x1ee9_0103_e294_21a5)
    }

    @Test func badInputsAreRefused() {
        let photo = Self.photo
        #expect(throws: AlignmentError.self) { try FFHQAligner.align(image: photo, landmarks: Array(Self.landmarks.prefix(67))) }
        var broken = Self.landmarks
        broken[40] = SIMD2(.nan, 3)
        #expect(throws: AlignmentError.self) { try FFHQAligner.align(image: photo, landmarks: broken) }
        #expect(throws: AlignmentError.self) { try FFHQAligner.align(image: photo, landmarks: Self.landmarks, outputSize: 0) }
        #expect(throws: AlignmentError.self) {
            try FFHQAligner.align(image: photo, landmarks: Self.landmarks, outputSize: FFHQAligner.maxOutputSize + 1)
        }
        // A face far outside the photo, and a face a few pixels wide.
        let away = Self.landmarks.map { $0 + SIMD2(5000, 0) }
        #expect(throws: AlignmentError.self) { try FFHQAligner.align(image: photo, landmarks: away, outputSize: 32) }
        let tiny = Self.landmarks.map { ($0 - SIMD2(12, 9)) * 0.02 + SIMD2(12, 9) }
        #expect(throws: AlignmentError.self) { try FFHQAligner.align(image: photo, landmarks: tiny, outputSize: 32) }
    }
}
