import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// A deterministic, structured test image: smooth enough for lossy codecs, asymmetric in every direction.
func testImage(width: Int, height: Int) -> RGBImage {
    var image = RGBImage(width: width, height: height)
    for y in 0..<height {
        for x in 0..<width {
            image[x, y, 0] = UInt8((x * 255) / max(width - 1, 1))
            image[x, y, 1] = UInt8((y * 255) / max(height - 1, 1))
            image[x, y, 2] = UInt8(((x + 2 * y) * 255) / max(width + 2 * height - 3, 1))
        }
    }
    return image
}

/// Pseudo-random samples (a fixed LCG) for bit-exact decoder checks.
func noise(_ x: Int, _ y: Int, _ c: Int, modulo: Int) -> Int {
    var v = UInt64(x &* 73_856_093 ^ y &* 19_349_663 ^ c &* 83_492_791) &+ 12345
    v = v &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((v >> 33) % UInt64(modulo))
}

@Suite struct ImageCodecRoundTripTests {
    @Test(arguments: [(1, 1), (13, 7), (64, 33)])
    func pngAndLosslessWebPAreExact(size: (Int, Int)) throws {
        let image = testImage(width: size.0, height: size.1)
        for encoding in [ImageEncoding.png, .webpLossless] {
            let bytes = try ImageCodec.encode(image, as: encoding)
            let format: ImageFormat = encoding == .png ? .png : .webp
            #expect(ImageFormat(sniffing: bytes) == format)
            #expect(try ImageCodec.decode(bytes) == image, "\(encoding)")
        }
    }

    @Test func lossyCodecsStayClose() throws {
        let image = testImage(width: 96, height: 80)
        let jpeg = try ImageCodec.decode(ImageCodec.encode(image, as: .jpeg(quality: 95)))
        let webp = try ImageCodec.decode(ImageCodec.encode(image, as: .webp(quality: 90)))
        #expect(jpeg.psnr(to: image) > 35, "JPEG q95 PSNR \(jpeg.psnr(to: image))")
        #expect(webp.psnr(to: image) > 30, "WebP q90 PSNR \(webp.psnr(to: image))")
        // Quality must matter: q10 is visibly worse and smaller.
        let small = try ImageCodec.encode(image, as: .jpeg(quality: 10))
        #expect(small.count < (try ImageCodec.encode(image, as: .jpeg(quality: 95))).count)
        #expect(try ImageCodec.decode(small).psnr(to: image) < jpeg.psnr(to: image))
    }

    @Test func writeIsAtomicAndReadable() throws {
        let folder = URL(fileURLWithPath: try temporaryFolder("codec"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = testImage(width: 20, height: 10)
        let url = folder.appendingPathComponent("out.png")
        try ImageCodec.write(testImage(width: 5, height: 5), to: url, as: .png)
        try ImageCodec.write(image, to: url, as: .png)  // replaces the earlier file
        #expect(try ImageCodec.read(url) == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.png"])
    }

    @Test func writeErrorsNameTheFile() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-pivot-folder/out.png")
        #expect(throws: ImageError.self) { try ImageCodec.write(testImage(width: 2, height: 2), to: missing, as: .png) }
        do {
            try ImageCodec.write(testImage(width: 2, height: 2), to: missing, as: .png)
        } catch let error as ImageError {
            #expect(error.kind == .notWritten && error.description.contains(missing.path))
        }
        #expect(throws: ImageError.self) { try ImageCodec.encode(RGBImage(width: 0, height: 3), as: .png) }
        #expect(throws: ImageError.self) { try ImageCodec.encode(testImage(width: 2, height: 2), as: .jpeg(quality: 0)) }
        #expect(throws: ImageError.self) { try ImageCodec.encode(testImage(width: 2, height: 2), as: .webp(quality: 101)) }
        #expect(throws: ImageError.self) { try ImageCodec.encode(RGBImage(width: 16384, height: 1), as: .webpLossless) }
    }

    @Test func normalizedFloatsRoundTripEveryByte() {
        var image = RGBImage(width: 256, height: 1)
        for x in 0..<256 { (image[x, 0, 0], image[x, 0, 1], image[x, 0, 2]) = (UInt8(x), UInt8(255 - x), UInt8(x / 2)) }
        let floats = image.normalizedNHWC()
        #expect(floats.count == 256 * 3 && floats.first == -1 && floats[3 * 255] == 1)
        #expect(RGBImage(normalizedNHWC: floats, width: 256, height: 1) == image)
        // NVlabs' conversion: clamp(v * 127.5 + 128) then truncate, so 0 maps to 128 and extremes clamp.
        let edge = RGBImage(normalizedNHWC: [0, -3, 3, .nan, -0.999, 0.995], width: 2, height: 1)
        #expect(edge.pixels == [128, 0, 255, 0, 0, 254])
    }
}

@Suite struct PNGVariantTests {
    /// Decodes a hand-built PNG and checks every pixel against `expected(x, y) -> RGB`.
    func check(_ builder: PNGFileBuilder, samples: (Int, Int, Int) -> Int, expected: (Int, Int) -> [UInt8]) throws {
        let image = try ImageCodec.decode(builder.build(samples))
        #expect(image.width == builder.width && image.height == builder.height)
        var mismatches = 0
        for y in 0..<builder.height {
            for x in 0..<builder.width where [image[x, y, 0], image[x, y, 1], image[x, y, 2]] != expected(x, y) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "type \(builder.colorType) depth \(builder.bitDepth) interlaced \(builder.interlaced)")
    }

    @Test(arguments: [1, 2, 4, 8, 16])
    func grayscaleIsReplicated(depth: Int) throws {
        let maximum = (1 << depth) - 1
        let builder = PNGFileBuilder(width: 11, height: 5, colorType: 0, bitDepth: depth)
        let samples = { (x: Int, y: Int, c: Int) in noise(x, y, c, modulo: maximum + 1) }
        try check(builder, samples: samples) { x, y in
            let value = UInt8((Double(samples(x, y, 0)) * 255 / Double(maximum)).rounded())
            return [value, value, value]
        }
    }

    @Test(arguments: [8, 16])
    func rgbAndAlphaVariants(depth: Int) throws {
        let maximum = (1 << depth) - 1
        // 16-bit samples are scaled to 8 bits with rounding: round(v * 255 / 65535).
        func eight(_ v: Int) -> UInt8 { UInt8((Double(v) * 255 / Double(maximum)).rounded()) }
        for (colorType, interlaced) in [(UInt8(2), false), (2, true), (6, false), (4, false), (4, true)] {
            var builder = PNGFileBuilder(width: 13, height: 9, colorType: colorType, bitDepth: depth)
            builder.interlaced = interlaced
            let samples = { (x: Int, y: Int, c: Int) in noise(x, y, c, modulo: maximum + 1) }
            try check(builder, samples: samples) { x, y in
                // Alpha is dropped: only the colour samples count.
                colorType == 4 ? Array(repeating: eight(samples(x, y, 0)), count: 3) : (0..<3).map { eight(samples(x, y, $0)) }
            }
        }
    }

    @Test(arguments: [1, 2, 4, 8])
    func paletteWithTransparencyIsExpanded(depth: Int) throws {
        let entries = 1 << depth
        let palette = (0..<entries * 3).map { UInt8(noise($0, 7, 1, modulo: 256)) }
        var builder = PNGFileBuilder(width: 9, height: 6, colorType: 3, bitDepth: depth, interlaced: depth == 4)
        builder.chunksBeforeData = [("PLTE", palette), ("tRNS", (0..<entries).map { UInt8($0 % 256) })]
        let samples = { (x: Int, y: Int, _: Int) in noise(x, y, 0, modulo: entries) }
        try check(builder, samples: samples) { x, y in
            let index = samples(x, y, 0)
            return Array(palette[index * 3..<index * 3 + 3])
        }
    }

    @Test func rgbTransparencyKeyIsIgnored() throws {
        var builder = PNGFileBuilder(width: 4, height: 4, colorType: 2, bitDepth: 8)
        builder.chunksBeforeData = [("tRNS", [0, 10, 0, 20, 0, 30])]
        try check(builder, samples: { _, _, c in (c + 1) * 10 }) { _, _ in [10, 20, 30] }
    }
}

@Suite struct JPEGVariantTests {
    /// Each quadrant's centre pixel against its expected colour, within JPEG's error at q95.
    func expectQuadrants(_ bytes: [UInt8], _ expected: [[Int]], tolerance: Int = 3) throws {
        let image = try ImageCodec.decode(bytes)
        #expect(image.width == 16 && image.height == 16)
        for (index, colour) in expected.enumerated() {
            let (x, y) = (index % 2 * 8 + 4, index / 2 * 8 + 4)
            let got = (0..<3).map { Int(image[x, y, $0]) }
            #expect(zip(got, colour).allSatisfy { abs($0 - $1) <= tolerance }, "quadrant \(index): \(got) vs \(colour)")
        }
    }

    @Test func grayscale() throws {
        try expectQuadrants(JPEGSamples.gray, [[30, 30, 30], [90, 90, 90], [160, 160, 160], [230, 230, 230]])
    }

    @Test func progressive() throws {
        try expectQuadrants(JPEGSamples.progressive, [[200, 30, 30], [30, 200, 30], [30, 30, 200], [240, 240, 240]])
    }

    /// Pillow's CMYK -> RGB: (255 - K) - round((255 - K) * ink / 255), for inks (C, M, Y, K).
    static let inks = [[0, 0, 0, 0], [255, 0, 0, 0], [0, 128, 255, 0], [40, 80, 120, 100]]
    static func pillowRGB(_ ink: [Int]) -> [Int] {
        let paper = 255 - ink[3]
        return (0..<3).map { c in
            let product = ink[c] * paper + 128
            return paper - (((product >> 8) + product) >> 8)
        }
    }

    @Test func adobeCMYKIsInverted() throws {
        // Expected (Pillow 13 decodes the same file to): white, cyan (0,255,255), (255,127,0), (131,106,82).
        try expectQuadrants(JPEGSamples.cmykAdobe, Self.inks.map(Self.pillowRGB))
    }

    @Test func plainCMYKIsNotInverted() throws {
        // Without the Adobe APP14 segment, the stored (inverted) inks are taken literally.
        let bytes = JPEGSamples.cmykAdobe
        #expect(bytes[2] == 0xFF && bytes[3] == 0xEE, "sample starts with APP14")
        let length = Int(bytes[4]) << 8 | Int(bytes[5])
        let stripped = Array(bytes[0..<2] + bytes[(4 + length)...])
        try expectQuadrants(stripped, Self.inks.map { ink in Self.pillowRGB(ink.map { 255 - $0 }) })
    }
}
