/// Wrong-sized pixel buffers handed to the detector or predictor.
public struct PixelBufferError: Error, CustomStringConvertible {
    public var description: String
}

func checkRGBBuffer(_ pixels: [UInt8], width: Int, height: Int) throws {
    guard width > 0, height > 0, width <= 1 << 20, height <= 1 << 20,
          pixels.count == width * height * 3 else {
        throw PixelBufferError(description: "a \(width)×\(height) RGB image needs width·height·3 bytes (sides 1…2^20), got \(pixels.count) bytes")
    }
}
