import CImageCodecs
import Foundation

/// How to encode an image.
public enum ImageEncoding: Sendable, Equatable {
    case png
    /// Baseline JPEG with 4:2:0 chroma subsampling (libjpeg defaults); quality 1...100.
    case jpeg(quality: Int)
    /// Lossy WebP; quality 0...100.
    case webp(quality: Float)
    case webpLossless

    var format: ImageFormat {
        switch self {
        case .png: .png
        case .jpeg: .jpeg
        case .webp, .webpLossless: .webp
        }
    }
}

extension ImageCodec {
    /// The encoded file's bytes; `file` only names the image in errors.
    public static func encode(_ image: RGBImage, as encoding: ImageEncoding, file: String = "<memory>") throws -> [UInt8] {
        func refuse(_ reason: String) -> ImageError { ImageError(file: file, kind: .notWritten, reason: reason) }
        guard image.width > 0, image.height > 0 else { throw refuse("cannot encode an empty \(image.width)x\(image.height) image") }
        guard image.width <= Int(UInt32.max), image.height <= Int(UInt32.max) else { throw refuse("image is too large to encode") }
        switch encoding {
        case .jpeg(let quality) where !(1...100).contains(quality): throw refuse("JPEG quality \(quality) is not in 1...100")
        case .webp(let quality) where !(0...100).contains(quality): throw refuse("WebP quality \(quality) is not in 0...100")
        default: break
        }
        let (width, height) = (UInt32(image.width), UInt32(image.height))
        var out = pivot_buffer(bytes: nil, count: 0)
        defer { pivot_buffer_free(&out) }
        try image.pixels.withUnsafeBufferPointer { rgb in
            try callCodec(file: file, format: encoding.format, kind: .notWritten) { message, capacity in
                switch encoding {
                case .png: pivot_png_encode(rgb.baseAddress, width, height, &out, message, capacity)
                case .jpeg(let quality): pivot_jpeg_encode(rgb.baseAddress, width, height, Int32(quality), &out, message, capacity)
                case .webp(let quality): pivot_webp_encode(rgb.baseAddress, width, height, quality, 0, &out, message, capacity)
                case .webpLossless: pivot_webp_encode(rgb.baseAddress, width, height, 0, 1, &out, message, capacity)
                }
            }
        }
        return Array(UnsafeBufferPointer(start: out.bytes, count: out.count))
    }

    /// Encodes and writes atomically (temporary file in the same folder, then rename).
    public static func write(_ image: RGBImage, to url: URL, as encoding: ImageEncoding) throws {
        let bytes = try encode(image, as: encoding, file: url.path)
        do {
            try AtomicFile.write(to: url.path) { try $0.write(bytes) }
        } catch {
            throw ImageError(file: url.path, kind: .notWritten, reason: "\(error)")
        }
    }
}
