/// An 8-bit RGB image: interleaved R, G, B bytes, row-major, no row padding.
///
/// This is what every codec decodes to and encodes from, and what alignment warps. Later stages take the
/// float form (`RGBImage+Normalized.swift`).
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes; pixel (x, y) channel c is at `(y * width + x) * 3 + c`.
    public var pixels: [UInt8]

    /// Wraps existing pixels; `pixels.count` must be `width * height * 3` (a programming error otherwise).
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage \(width)x\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    public subscript(x: Int, y: Int, channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * 3 + channel] }
        set { pixels[(y * width + x) * 3 + channel] = newValue }
    }
}
