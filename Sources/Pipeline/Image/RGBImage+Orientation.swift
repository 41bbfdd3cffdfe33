extension RGBImage {
    /// The image turned upright according to `orientation`.
    public func applying(_ orientation: ExifOrientation) -> RGBImage {
        if orientation == .identity { return self }
        let (uprightWidth, uprightHeight) = orientation.swapsAxes ? (height, width) : (width, height)
        var upright = RGBImage(width: uprightWidth, height: uprightHeight)
        pixels.withUnsafeBufferPointer { stored in
            upright.pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<uprightHeight {
                    for x in 0..<uprightWidth {
                        let source = orientation.storedPosition(x: x, y: y, width: width, height: height)
                        let from = (source.y * width + source.x) * 3, to = (y * uprightWidth + x) * 3
                        out[to] = stored[from]
                        out[to + 1] = stored[from + 1]
                        out[to + 2] = stored[from + 2]
                    }
                }
            }
        }
        return upright
    }
}
