import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// The error `decode` throws, or nil if it decoded.
func decodeError(_ bytes: [UInt8], options: ImageReadOptions = ImageReadOptions()) -> ImageError? {
    do {
        _ = try ImageCodec.decode(bytes, file: "sample", options: options)
        return nil
    } catch {
        return error as? ImageError
    }
}

@Suite struct ImageCodecErrorTests {
    static let image = testImage(width: 40, height: 24)

    static func encoded(_ encoding: ImageEncoding) -> [UInt8] { try! ImageCodec.encode(image, as: encoding) }

    @Test func emptyAndUnknownFiles() throws {
        #expect(decodeError([])?.kind == .empty)
        #expect(decodeError(Array("hello, I am not a picture".utf8))?.kind == .unknownFormat)
        #expect(decodeError([0x89, 0x50])?.kind == .unknownFormat)

        // A text file named .jpg: the format comes from the bytes, and the message names the file.
        let folder = URL(fileURLWithPath: try temporaryFolder("codec-error"))
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("photo.jpg")
        try Data("just text".utf8).write(to: url)
        do {
            _ = try ImageCodec.read(url)
            Issue.record("text file decoded")
        } catch let error as ImageError {
            #expect(error.kind == .unknownFormat && error.description.hasPrefix(url.path))
        }
        let zero = folder.appendingPathComponent("zero.png")
        try Data().write(to: zero)
        #expect(throws: ImageError(file: zero.path, kind: .empty, reason: "file is empty")) { try ImageCodec.read(zero) }
        #expect(throws: ImageError.self) { try ImageCodec.read(folder.appendingPathComponent("missing.png")) }
    }

    @Test(arguments: [ImageEncoding.png, .jpeg(quality: 90), .webp(quality: 80), .webpLossless])
    func truncatedFilesAreRefused(encoding: ImageEncoding) {
        let bytes = Self.encoded(encoding)
        for keep in [bytes.count / 2, bytes.count - 3, 20] {
            #expect(decodeError(Array(bytes.prefix(keep)))?.kind == .corrupt, "\(encoding) cut to \(keep) of \(bytes.count)")
        }
    }

    @Test func corruptDataIsRefused() {
        // PNG: flip a byte inside IDAT; the chunk CRC no longer matches.
        var png = Self.encoded(.png)
        png[png.count - 20] ^= 0xFF
        #expect(decodeError(png)?.kind == .corrupt)
        // JPEG: garbage instead of the entropy-coded data after the header.
        var jpeg = Self.encoded(.jpeg(quality: 90))
        for index in (jpeg.count - 200)..<(jpeg.count - 2) { jpeg[index] = 0xFF }
        #expect(decodeError(jpeg)?.kind == .corrupt)
        // WebP: overwrite the bitstream.
        var webp = Self.encoded(.webp(quality: 80))
        for index in 30..<webp.count { webp[index] = UInt8(index % 251) }
        #expect(decodeError(webp)?.kind == .corrupt)
    }

    @Test func pixelLimitIsConfigurable() {
        let png = Self.encoded(.png)  // 40 x 24 = 960 pixels
        #expect(decodeError(png, options: ImageReadOptions(maxPixels: 960)) == nil)
        let refused = decodeError(png, options: ImageReadOptions(maxPixels: 959))
        #expect(refused?.kind == .tooLarge && refused?.reason.contains("40x24") == true)
    }

    /// Headers that declare huge images with (almost) no data must be refused before any allocation.
    @Test func decompressionBombsAreRefusedFromTheHeader() {
        // PNG: a 100000 x 100000 IHDR followed by a tiny IDAT.
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = bigEndian32(100_000) + bigEndian32(100_000) + [8, 2, 0, 0, 0]
        let pngBomb = signature + chunk("IHDR", ihdr) + chunk("IDAT", zlibStored([0])) + chunk("IEND", [])
        #expect(decodeError(pngBomb)?.kind == .tooLarge)

        // JPEG: patch the SOF0 frame size to 60000 x 60000.
        var jpeg = Self.encoded(.jpeg(quality: 90))
        if let sof = (0..<jpeg.count - 9).first(where: { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }) {
            jpeg.replaceSubrange(sof + 5..<sof + 9, with: [0xEA, 0x60, 0xEA, 0x60])
            #expect(decodeError(jpeg)?.kind == .tooLarge)
        } else {
            Issue.record("no SOF0 marker in our JPEG")
        }

        // WebP lossless: the VP8L header packs width-1 and height-1 in 14 bits each; make both 16383.
        var webp = Self.encoded(.webpLossless)
        #expect(Array(webp[12..<16]) == Array("VP8L".utf8))
        let packed: UInt32 = 16383 | 16383 << 14 | UInt32(webp[24] & 0xF0) << 24
        webp.replaceSubrange(21..<25, with: [UInt8(packed & 0xFF), UInt8(packed >> 8 & 0xFF),
                                             UInt8(packed >> 16 & 0xFF), UInt8(packed >> 24)])
        let refused = decodeError(webp)
        #expect(refused?.kind == .tooLarge, "\(String(describing: refused))")
    }
}
