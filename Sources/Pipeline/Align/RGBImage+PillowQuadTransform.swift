import SIMDKernels

extension RGBImage {
    /// Pillow's `img.transform((size, size), Image.QUAD, corners, Image.BILINEAR)` (Image.py + Geometry.c),
    /// with its exact double arithmetic: corners NW, SW, SE, NE map to the output square's corners.
    /// Output pixels whose source point falls outside the image are black; samples truncate to bytes.
    public func pillowQuadTransformed(size: Int, corners: [SIMD2<Double>]) -> RGBImage {
        let (nw, sw, se, ne) = (corners[0], corners[1], corners[2], corners[3])
        // Pillow multiplies by 1/size rather than dividing; the same only when size is a power of two.
        let scale = 1.0 / Double(size)
        let ax = (nw.x, (ne.x - nw.x) * scale, (sw.x - nw.x) * scale, (se.x - sw.x - ne.x + nw.x) * scale * scale)
        let ay = (nw.y, (ne.y - nw.y) * scale, (sw.y - nw.y) * scale, (se.y - sw.y - ne.y + nw.y) * scale * scale)
        var out = RGBImage(width: size, height: size)
        pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                nonisolated(unsafe) let (source, target) = (source, target)
                Parallel.forEach(size) { row in
                    let v = Double(row) + 0.5
                    for column in 0..<size {
                        let u = Double(column) + 0.5
                        let x = ax.0 + ax.1 * u + ax.2 * v + ax.3 * u * v
                        let y = ay.0 + ay.1 * u + ay.2 * v + ay.3 * u * v
                        sampleBilinear(source, x: x, y: y, into: target, at: (row * size + column) * 3)
                    }
                }
            }
        }
        return out
    }

    /// Geometry.c `bilinear_filter32RGB`: black outside [0, W) x [0, H); neighbours clamped to the edge;
    /// `a + (b - a) * d` per axis in double; the byte is the truncated value.
    @inline(__always)
    private func sampleBilinear(_ source: UnsafeBufferPointer<UInt8>, x: Double, y: Double,
                                into target: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        guard x >= 0, x < Double(width), y >= 0, y < Double(height) else { return }  // already 0
        let xs = x - 0.5, ys = y - 0.5
        let left = Int(xs.rounded(.down)), top = Int(ys.rounded(.down))
        let dx = xs - Double(left), dy = ys - Double(top)
        let x0 = Swift.min(Swift.max(left, 0), width - 1) * 3, x1 = Swift.min(Swift.max(left + 1, 0), width - 1) * 3
        let row0 = Swift.min(Swift.max(top, 0), height - 1) * width * 3
        let row1 = Swift.min(Swift.max(top + 1, 0), height - 1) * width * 3
        for channel in 0..<3 {
            let a = Double(source[row0 + x0 + channel]), b = Double(source[row0 + x1 + channel])
            let c = Double(source[row1 + x0 + channel]), d = Double(source[row1 + x1 + channel])
            let upper = a + (b - a) * dx
            let lower = c + (d - c) * dx
            target[offset + channel] = UInt8(upper + (lower - upper) * dy)
        }
    }
}
