/// One image's NHWC feature map with a one-pixel zero border (halo): (size+2)² pixels of `channels` floats.
///
/// The halo lets a 3×3 convolution run as nine plain GEMMs over the padded grid (kernels.md §5.1): output
/// pixel (h, w) and tap (a, b) read padded pixel (h+a, w+b), a constant offset from the grid position
/// h·(size+2) + w. The two grid columns per row past the image are computed and discarded (they land in
/// the halo, which is zeroed again afterwards).
struct FeatureMap {
    let size: Int
    let channels: Int
    var values: [Float]

    init(size: Int, channels: Int) {
        self.size = size
        self.channels = channels
        values = [Float](repeating: 0, count: (size + 2) * (size + 2) * channels)
    }

    /// Padded width, in pixels.
    var stride: Int { size + 2 }
    /// Rows of the padded grid a convolution computes: size·(size+2) − 2 (the last two would read past the end).
    var gridRows: Int { size * stride - 2 }
    /// Float offset of interior pixel (h, w).
    func offset(_ h: Int, _ w: Int) -> Int { ((h + 1) * stride + w + 1) * channels }
    /// Float offset of grid row 0 (= interior pixel (0, 0)).
    var interior: Int { (stride + 1) * channels }

    /// Zeroes the border after a grid computation wrote its discarded columns there.
    mutating func zeroHalo() {
        let c = channels, s = stride
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<(s * c) { v[i] = 0; v[(s - 1) * s * c + i] = 0 }
            for h in 1..<(s - 1) {
                for i in 0..<c { v[h * s * c + i] = 0; v[(h * s + s - 1) * c + i] = 0 }
            }
        }
    }
}
