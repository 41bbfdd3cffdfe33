/// StyleGAN's float convention: NHWC (here N = 1), channels in [-1, 1], `v / 127.5 - 1`.
extension RGBImage {
    /// The image as `height * width * 3` floats in [-1, 1] (one NHWC image).
    public func normalizedNHWC() -> [Float] {
        pixels.map { Float($0) / 127.5 - 1 }
    }

    /// Back to bytes exactly as NVlabs and PTI do it: `uint8(clamp(v * 127.5 + 128, 0, 255))`, where the
    /// cast truncates (stylegan2.md §5.7; note +128, not +127.5). NaN becomes 0.
    public init(normalizedNHWC values: [Float], width: Int, height: Int) {
        precondition(values.count == width * height * 3,
                     "RGBImage \(width)x\(height) needs \(width * height * 3) floats, got \(values.count)")
        let bytes = values.map { value -> UInt8 in
            let scaled = value * 127.5 + 128
            return scaled >= 255 ? 255 : (scaled > 0 ? UInt8(scaled) : 0)
        }
        self.init(width: width, height: height, pixels: bytes)
    }
}
