import Foundation

extension RGBImage {
    /// PSNR in dB against another 8-bit image of the same size (infinite when they are equal).
    public func psnr(to other: RGBImage) -> Double {
        precondition(width == other.width && height == other.height, "PSNR needs images of the same size")
        var squares = 0.0
        for i in pixels.indices {
            let d = Double(pixels[i]) - Double(other.pixels[i])
            squares += d * d
        }
        let mse = squares / Double(pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
