import Foundation
import Pipeline
import Testing

/// Plain rotations and flips, written independently of `RGBImage.applying(_:)`.
private func flipHorizontal(_ image: RGBImage) -> RGBImage { remap(image, image.width, image.height) { x, y in (image.width - 1 - x, y) } }
private func flipVertical(_ image: RGBImage) -> RGBImage { remap(image, image.width, image.height) { x, y in (x, image.height - 1 - y) } }
/// Clockwise quarter turn: the left column becomes the top row.
private func rotateClockwise(_ image: RGBImage) -> RGBImage { remap(image, image.height, image.width) { x, y in (y, image.height - 1 - x) } }

private func remap(_ image: RGBImage, _ width: Int, _ height: Int, _ source: (Int, Int) -> (Int, Int)) -> RGBImage {
    var out = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            let (sx, sy) = source(x, y)
            for c in 0..<3 { out[x, y, c] = image[sx, sy, c] }
        }
    }
    return out
}

/// How a camera stores an upright picture under each EXIF orientation (the inverse of what a viewer applies).
private func stored(upright: RGBImage, orientation: Int) -> RGBImage {
    switch orientation {
    case 2: flipHorizontal(upright)
    case 3: rotateClockwise(rotateClockwise(upright))
    case 4: flipVertical(upright)
    case 5: flipHorizontal(rotateClockwise(upright))   // transpose
    case 6: rotateClockwise(rotateClockwise(rotateClockwise(upright)))  // viewer turns it clockwise
    case 7: flipVertical(rotateClockwise(upright))     // transverse
    case 8: rotateClockwise(upright)                   // viewer turns it counter-clockwise
    default: upright
    }
}

/// Inserts an EXIF block into an encoded file of the given format.
private func withExif(_ file: [UInt8], format: ImageFormat, exif: [UInt8], width: Int, height: Int) -> [UInt8] {
    switch format {
    case .png:
        // eXIf right after IHDR (8-byte signature + 25-byte IHDR chunk).
        return Array(file[0..<33]) + chunk("eXIf", exif) + Array(file[33...])
    case .jpeg:
        let payload = Array("Exif\0\0".utf8) + exif
        let length = payload.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(file[2...])
    case .webp:
        // Simple-format WebP -> extended: VP8X (EXIF flag 0x08, canvas size - 1) + image chunk + EXIF chunk.
        func le32(_ v: Int) -> [UInt8] { bigEndian32(v).reversed() }
        func riffChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            Array(type.utf8) + le32(data.count) + data + (data.count % 2 == 1 ? [0] : [])
        }
        let vp8x: [UInt8] = [0x08, 0, 0, 0] + Array(le32(width - 1).prefix(3)) + Array(le32(height - 1).prefix(3))
        let body = Array("WEBP".utf8) + riffChunk("VP8X", vp8x) + Array(file[12...]) + riffChunk("EXIF", exif)
        return Array("RIFF".utf8) + le32(body.count) + body
    }
}

@Suite struct ExifOrientationTests {
    static let upright = testImage(width: 7, height: 4)

    @Test(arguments: 1...8)
    func pngOrientationIsAppliedExactly(orientation: Int) throws {
        let camera = stored(upright: Self.upright, orientation: orientation)
        let plain = try ImageCodec.encode(camera, as: .png)
        for littleEndian in [true, false] {
            let exif = exifBlock(orientation: orientation, littleEndian: littleEndian)
            #expect(ExifOrientation(exif: exif)?.rawValue == orientation)
            let file = withExif(plain, format: .png, exif: exif, width: camera.width, height: camera.height)
            #expect(try ImageCodec.decode(file) == Self.upright, "orientation \(orientation)")
            #expect(try ImageCodec.decode(file, options: ImageReadOptions(appliesExifOrientation: false)) == camera)
        }
    }

    @Test func webpExifChunkIsApplied() throws {
        let camera = stored(upright: Self.upright, orientation: 8)
        let file = withExif(try ImageCodec.encode(camera, as: .webpLossless), format: .webp,
                            exif: exifBlock(orientation: 8, littleEndian: false), width: camera.width, height: camera.height)
        #expect(try ImageCodec.decode(file) == Self.upright)
    }

    @Test func jpegApp1IsApplied() throws {
        // Flat 8x8 blocks survive JPEG nearly unchanged; compare block centres.
        var upright = RGBImage(width: 24, height: 16)
        let colours: [[UInt8]] = [[250, 0, 0], [0, 250, 0], [0, 0, 250], [250, 250, 0], [0, 250, 250], [250, 0, 250]]
        for y in 0..<16 { for x in 0..<24 { for c in 0..<3 { upright[x, y, c] = colours[(y / 8) * 3 + x / 8][c] } } }
        for orientation in [3, 6] {
            let camera = stored(upright: upright, orientation: orientation)
            let file = withExif(try ImageCodec.encode(camera, as: .jpeg(quality: 98)), format: .jpeg,
                                exif: exifBlock(orientation: orientation, littleEndian: true), width: camera.width, height: camera.height)
            let decoded = try ImageCodec.decode(file)
            #expect(decoded.width == 24 && decoded.height == 16)
            for (index, colour) in colours.enumerated() {
                let (x, y) = (index % 3 * 8 + 4, index / 3 * 8 + 4)
                #expect((0..<3).allSatisfy { abs(Int(decoded[x, y, $0]) - Int(colour[$0])) <= 6 }, "orientation \(orientation) block \(index)")
            }
        }
    }

    @Test func malformedExifIsIgnored() {
        #expect(ExifOrientation(exif: []) == nil)
        #expect(ExifOrientation(exif: Array("Exif\0\0".utf8) + exifBlock(orientation: 6, littleEndian: true)) == .rotate90Clockwise)
        #expect(ExifOrientation(exif: exifBlock(orientation: 9, littleEndian: true)) == nil)
        var truncated = exifBlock(orientation: 6, littleEndian: false)
        truncated.removeLast(8)
        #expect(ExifOrientation(exif: truncated) == nil)
        var badOffset = exifBlock(orientation: 6, littleEndian: true)
        badOffset[4] = 0xF0  // IFD offset beyond the block
        #expect(ExifOrientation(exif: badOffset) == nil)
    }
}
