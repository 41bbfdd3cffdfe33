import CImageCodecs
import Foundation

/// Limits and choices for reading an image.
public struct ImageReadOptions: Sendable {
    /// 64 Mi pixels (8192 x 8192): 192 MiB as RGB bytes, 768 MiB as floats.
    public static let defaultMaxPixels = 1 << 26

    /// Images whose header declares more pixels are refused before anything is decoded.
    public var maxPixels: Int
    /// Turn the image upright from its EXIF orientation (JPEG APP1, PNG eXIf, WebP EXIF chunk).
    public var appliesExifOrientation: Bool

    public init(maxPixels: Int = defaultMaxPixels, appliesExifOrientation: Bool = true) {
        self.maxPixels = maxPixels
        self.appliesExifOrientation = appliesExifOrientation
    }
}

/// Reads PNG, JPEG and WebP into `RGBImage` through libpng, libjpeg-turbo and libwebp.
///
/// Every input becomes 8-bit RGB: gray is replicated, palettes expanded, 16-bit samples scaled to 8 bits
/// with rounding, CMYK converted as Pillow does, and alpha is **dropped** (as Pillow's `convert("RGB")`,
/// which produced the alignment references), not composited.
public enum ImageCodec {
    public static func read(_ url: URL, options: ImageReadOptions = ImageReadOptions()) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(file: url.path, kind: .unreadable, reason: "cannot read file: \(error.localizedDescription)")
        }
        return try decode([UInt8](data), file: url.path, options: options)
    }

    /// Decodes an image held in memory; `file` only names it in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>",
                              options: ImageReadOptions = ImageReadOptions()) throws -> RGBImage {
        guard !bytes.isEmpty else { throw ImageError(file: file, kind: .empty, reason: "file is empty") }
        guard let format = ImageFormat(sniffing: bytes) else {
            let head = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw ImageError(file: file, kind: .unknownFormat,
                             reason: "not a PNG, JPEG or WebP file (first bytes: \(head))")
        }
        return try bytes.withUnsafeBufferPointer { data in
            var width: UInt32 = 0, height: UInt32 = 0
            try callCodec(file: file, format: format, kind: .corrupt) { message, capacity in
                switch format {
                case .png: pivot_png_read_size(data.baseAddress, data.count, &width, &height, message, capacity)
                case .jpeg: pivot_jpeg_read_size(data.baseAddress, data.count, &width, &height, message, capacity)
                case .webp: pivot_webp_read_size(data.baseAddress, data.count, &width, &height, message, capacity)
                }
            }
            let pixelCount = Int(width) * Int(height)
            guard pixelCount > 0 else {
                throw ImageError(file: file, kind: .corrupt, reason: "\(format.rawValue) header declares \(width)x\(height) pixels")
            }
            guard pixelCount <= options.maxPixels else {
                throw ImageError(file: file, kind: .tooLarge,
                                 reason: "\(width)x\(height) = \(pixelCount) pixels exceeds the limit of \(options.maxPixels)")
            }
            var image = RGBImage(width: Int(width), height: Int(height))
            var exif = pivot_buffer(bytes: nil, count: 0)
            defer { pivot_buffer_free(&exif) }
            try image.pixels.withUnsafeMutableBufferPointer { rgb in
                try callCodec(file: file, format: format, kind: .corrupt) { message, capacity in
                    switch format {
                    case .png: pivot_png_decode(data.baseAddress, data.count, rgb.baseAddress, width, height, &exif, message, capacity)
                    case .jpeg: pivot_jpeg_decode(data.baseAddress, data.count, rgb.baseAddress, width, height, &exif, message, capacity)
                    case .webp: pivot_webp_decode(data.baseAddress, data.count, rgb.baseAddress, width, height, &exif, message, capacity)
                    }
                }
            }
            guard options.appliesExifOrientation, let exifBytes = exif.bytes,
                  let orientation = ExifOrientation(exif: Array(UnsafeBufferPointer(start: exifBytes, count: exif.count)))
            else { return image }
            return image.applying(orientation)
        }
    }

    /// Runs one C codec call with a message buffer and turns a failure into an `ImageError`.
    static func callCodec(file: String, format: ImageFormat, kind: ImageError.Kind,
                          _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { call($0.baseAddress!, $0.count) }
        guard status != 0 else { return }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw ImageError(file: file, kind: kind, reason: "\(format.rawValue): \(text)")
    }
}
