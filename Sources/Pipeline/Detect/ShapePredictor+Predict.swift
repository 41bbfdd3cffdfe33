extension ShapePredictor {
    /// The landmarks of the object in `box` (inclusive corners, exactly as the detector returned it), in
    /// whole pixels, bit-identical to dlib 19.24's `shape_predictor::operator()` (specs/align.md §5.2).
    /// `pixels` is interleaved 8-bit RGB, `width·height·3` bytes.
    public func landmarks(pixels: [UInt8], width: Int, height: Int, box: PixelRect) throws -> [PixelPoint] {
        try checkRGBBuffer(pixels, width: width, height: height)
        let limit = 1 << 24
        guard [box.left, box.top, box.right, box.bottom].allSatisfy({ (-limit...limit).contains($0) }) else {
            throw PixelBufferError(description: "landmark box \(box) has a coordinate beyond ±\(limit)")
        }
        let shape = normalisedShape(RGBImage(width: width, height: height, pixels: pixels), box: box)
        let boxWidth = Double(box.right - box.left), boxHeight = Double(box.bottom - box.top)
        return (0..<landmarkCount).map { k in
            PixelPoint(x: dlibRound(Double(box.left) + Double(shape[2 * k]) * boxWidth),
                       y: dlibRound(Double(box.top) + Double(shape[2 * k + 1]) * boxHeight))
        }
    }

    /// Runs the cascade and returns the shape in box-normalised units: (0,0) is the box's top-left pixel and
    /// (1,1) its bottom-right pixel.
    func normalisedShape(_ image: RGBImage, box: PixelRect) -> [Float] {
        var shape = initialShape
        var features = [Float](repeating: 0, count: 0)
        for cascade in 0..<cascadeCount {
            samplePoolPixels(image, box: box, shape: shape, cascade: cascade, into: &features)
            addTreeOutputs(cascade: cascade, features: features, to: &shape)
        }
        return shape
    }

    /// The 2×2 part of the least-squares similarity transform taking `initialShape` to `shape`
    /// (Umeyama's solution in its closed form for 2-D, in Double; the translation is not needed).
    func similarity(to shape: [Float]) -> (p: Float, q: Float) {
        let n = landmarkCount
        var fromMean = SIMD2<Double>(), toMean = SIMD2<Double>()
        for k in 0..<n {
            fromMean += SIMD2(Double(initialShape[2 * k]), Double(initialShape[2 * k + 1]))
            toMean += SIMD2(Double(shape[2 * k]), Double(shape[2 * k + 1]))
        }
        fromMean /= Double(n); toMean /= Double(n)
        var dot = 0.0, cross = 0.0, norm = 0.0
        for k in 0..<n {
            let a = SIMD2(Double(initialShape[2 * k]), Double(initialShape[2 * k + 1])) - fromMean
            let b = SIMD2(Double(shape[2 * k]), Double(shape[2 * k + 1])) - toMean
            dot += a.x * b.x + a.y * b.y
            cross += a.x * b.y - a.y * b.x
            norm += a.x * a.x + a.y * a.y
        }
        guard norm > 0 else { return (1, 0) }
        return (Float(dot / norm), Float(cross / norm))
    }

    /// Gray values `(R+G+B)/3` (integer division, as dlib's `get_pixel_intensity`) at each pool pixel of the
    /// cascade, placed relative to the current shape; nearest-pixel sampling, 0 outside the image.
    func samplePoolPixels(_ image: RGBImage, box: PixelRect, shape: [Float], cascade: Int, into features: inout [Float]) {
        let (p, q) = similarity(to: shape)
        let anchors = self.anchors[cascade], deltas = self.deltas[cascade]
        let boxWidth = Double(box.right - box.left), boxHeight = Double(box.bottom - box.top)
        features = [Float](repeating: 0, count: anchors.count)
        for i in 0..<anchors.count {
            let d = deltas[i], a = anchors[i]
            let vx = (p * d.x - q * d.y) + shape[2 * a]
            let vy = (q * d.x + p * d.y) + shape[2 * a + 1]
            let x = dlibRound(Double(box.left) + Double(vx) * boxWidth)
            let y = dlibRound(Double(box.top) + Double(vy) * boxHeight)
            guard x >= 0, y >= 0, x < image.width, y < image.height else { continue }
            let o = (y * image.width + x) * 3
            let sum = Int(image.pixels[o]) + Int(image.pixels[o + 1]) + Int(image.pixels[o + 2])
            features[i] = Float(sum / 3)
        }
    }

    /// Walks every tree of the cascade, then adds the reached leaves to the shape in tree order (Float adds).
    /// The walks only read the features, so they all run first: the leaf reads then have known addresses
    /// and their cache misses overlap instead of waiting behind each walk's branch mispredictions.
    func addTreeOutputs(cascade: Int, features: [Float], to shape: inout [Float]) {
        let nodes = splitsPerTree, size = shape.count, trees = treesPerCascade[cascade]
        var leafStarts = [Int](repeating: 0, count: trees)
        splits[cascade].withUnsafeBufferPointer { splits in
            for tree in 0..<trees {
                var node = 0
                while node < nodes {
                    let split = splits[tree * nodes + node]
                    let difference = features[Int(split.first)] - features[Int(split.second)]
                    node = difference > split.threshold ? 2 * node + 1 : 2 * node + 2
                }
                leafStarts[tree] = (tree * (nodes + 1) + node - nodes) * size
            }
        }
        leaves[cascade].withUnsafeBufferPointer { leaves in
            shape.withUnsafeMutableBufferPointer { shape in
                for start in leafStarts { addLeaf(leaves.baseAddress! + start, to: shape.baseAddress!, count: size) }
            }
        }
    }
}

/// `shape[k] += leaf[k]` for every k, eight lanes at a time (each element still gets one Float add per tree,
/// so the result is the same as the scalar loop's).
@inline(__always) private func addLeaf(_ leaf: UnsafePointer<Float>, to shape: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k &+ 8 <= count {
        let sum = UnsafeRawPointer(shape + k).loadUnaligned(as: SIMD8<Float>.self)
            + UnsafeRawPointer(leaf + k).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(shape + k).storeBytes(of: sum, as: SIMD8<Float>.self)
        k &+= 8
    }
    while k < count {
        shape[k] += leaf[k]
        k &+= 1
    }
}
