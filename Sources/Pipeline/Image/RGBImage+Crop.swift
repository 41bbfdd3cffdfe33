extension RGBImage {
    /// The pixels in columns left..<right and rows top..<bottom (Pillow's `crop` box, right/bottom exclusive).
    /// The box must lie inside the image.
    public func cropped(left: Int, top: Int, right: Int, bottom: Int) -> RGBImage {
        precondition(0 <= left && left < right && right <= width && 0 <= top && top < bottom && bottom <= height,
                     "crop box (\(left), \(top), \(right), \(bottom)) outside \(width)x\(height)")
        var out = [UInt8]()
        out.reserveCapacity((right - left) * (bottom - top) * 3)
        for y in top..<bottom {
            out += pixels[(y * width + left) * 3..<(y * width + right) * 3]
        }
        return RGBImage(width: right - left, height: bottom - top, pixels: out)
    }
}
