/// Felzenszwalb's 31-D HOG features of an RGB image with 8×8 cells, as dlib's `extract_fhog_features`
/// computes them for a 10×10-cell filter (specs/align.md §4.4), to the bit.
///
/// Layout is planar, `values[(feature·rows + row)·cols + col]`, like dlib's 31 planes: the filter scoring
/// runs eight neighbouring windows in the lanes of a vector, which needs neighbouring cells side by side.
/// The grid has 4 rows/columns of zeros before the `hogRows × hogCols` cells and 5 after, as dlib pads.
struct FHOGFeatures {
    static let featureCount = 31
    static let cellSize = 8
    /// Zero cells before (4) and after (5) the features, so a 10×10 filter can be centred on every cell.
    static let leadingPad = 4, trailingPad = 5

    let rows: Int
    let cols: Int
    var values: [Float]

    var hogRows: Int { rows - Self.leadingPad - Self.trailingPad }
    var hogCols: Int { cols - Self.leadingPad - Self.trailingPad }
}

/// The nine unit vectors dlib snaps gradients to (the other nine bins are their negatives).
private let orientationX = SIMD16<Float>(1.0, 0.9397, 0.7660, 0.500, 0.1736, -0.1736, -0.5000, -0.7660, -0.9397,
                                         0, 0, 0, 0, 0, 0, 0)
private let orientationY = SIMD16<Float>(0.0, 0.3420, 0.6428, 0.8660, 0.9848, 0.9848, 0.8660, 0.6428, 0.3420,
                                         0, 0, 0, 0, 0, 0, 0)

/// Returns nil when the image is too small to have a single feature cell (fewer than 3 cells a side).
func extractFHOG(_ image: RGBImage) -> FHOGFeatures? {
    let cell = FHOGFeatures.cellSize
    let cellRows = Int(Double(Float(image.height) / Float(cell)) + 0.5)
    let cellCols = Int(Double(Float(image.width) / Float(cell)) + 0.5)
    let hogRows = cellRows - 2, hogCols = cellCols - 2
    guard hogRows > 0, hogCols > 0 else { return nil }

    let histogram = orientationHistograms(image, cellRows: cellRows, cellCols: cellCols)
    let histCols = cellCols + 2

    // Energy of each cell: Σ over the 9 unsigned orientations of (h[o] + h[o+9])².
    var energy = [Float](repeating: 0, count: cellRows * cellCols)
    for r in 0..<cellRows {
        for c in 0..<cellCols {
            let h = ((r + 1) * histCols + c + 1) * 18
            var e: Float = 0
            for o in 0..<9 {
                let s = histogram[h + o] + histogram[h + o + 9]
                e += s * s
            }
            energy[r * cellCols + c] = e
        }
    }

    let rows = hogRows + FHOGFeatures.leadingPad + FHOGFeatures.trailingPad
    let cols = hogCols + FHOGFeatures.leadingPad + FHOGFeatures.trailingPad
    var features = FHOGFeatures(rows: rows, cols: cols,
                                values: [Float](repeating: 0, count: FHOGFeatures.featureCount * rows * cols))
    let planeSize = rows * cols
    features.values.withUnsafeMutableBufferPointer { out in
        for y in 0..<hogRows {
            for x in 0..<hogCols {
                func e(_ r: Int, _ c: Int) -> Float { energy[r * cellCols + c] }
                // Lane k normalises by the k-th of the four 2×2 cell blocks containing this cell.
                let z1 = SIMD4<Float>(e(y + 1, x + 1), e(y, x + 1), e(y + 1, x), e(y, x))
                let z2 = SIMD4<Float>(e(y + 1, x + 2), e(y, x + 2), e(y + 1, x + 1), e(y, x + 1))
                let z3 = SIMD4<Float>(e(y + 2, x + 1), e(y + 1, x + 1), e(y + 2, x), e(y + 1, x))
                let z4 = SIMD4<Float>(e(y + 2, x + 2), e(y + 1, x + 2), e(y + 2, x + 1), e(y + 1, x + 1))
                let nn = Float(0.2) * (((z1 + z2) + z3) + z4 + Float(0.0001)).squareRoot()
                let n = Float(0.1) / nn
                let h = ((y + 2) * histCols + x + 2) * 18
                let o = (y + FHOGFeatures.leadingPad) * cols + x + FHOGFeatures.leadingPad
                @inline(__always) func laneSum(_ v: SIMD4<Float>) -> Float { (v[0] + v[1]) + (v[2] + v[3]) }

                // Contrast-sensitive (0–17), accumulating the texture sums three bins at a time as dlib does.
                var texture = SIMD4<Float>()
                for group in stride(from: 0, to: 18, by: 3) {
                    let h0 = pointwiseMin(SIMD4(repeating: histogram[h + group]), nn) * n
                    let h1 = pointwiseMin(SIMD4(repeating: histogram[h + group + 1]), nn) * n
                    let h2 = pointwiseMin(SIMD4(repeating: histogram[h + group + 2]), nn) * n
                    out[o + group * planeSize] = laneSum(h0)
                    out[o + (group + 1) * planeSize] = laneSum(h1)
                    out[o + (group + 2) * planeSize] = laneSum(h2)
                    texture += (h0 + h1) + h2
                }
                // Contrast-insensitive (18–26).
                for bin in 0..<9 {
                    let both = histogram[h + bin] + histogram[h + bin + 9]
                    out[o + (18 + bin) * planeSize] = laneSum(pointwiseMin(SIMD4(repeating: both), nn) * n)
                }
                // Texture (27–30).
                texture *= Float(2 * 0.2357)
                for k in 0..<4 { out[o + (27 + k) * planeSize] = texture[k] }
            }
        }
    }
    return features
}

/// Gradient orientation histograms with bilinear voting into `(cellRows+2) × (cellCols+2)` cells of 18 bins
/// (one cell of margin all round). dlib computes columns 1, 9, 17, … eight at a time in Float32 and the
/// rest one by one, and the two paths differ in three details kept here: channel ties, the x position
/// formula, and the order of the weight products.
private func orientationHistograms(_ image: RGBImage, cellRows: Int, cellCols: Int) -> [Float] {
    let cell = FHOGFeatures.cellSize
    let histCols = cellCols + 2
    var histogram = [Float](repeating: 0, count: (cellRows + 2) * histCols * 18)
    let visibleRows = min(cellRows * cell, image.height) - 1
    let visibleCols = min(cellCols * cell, image.width) - 1
    guard visibleRows > 1, visibleCols > 1 else { return histogram }
    let width = image.width
    // Channel planes as Float (exact small integers), so eight neighbours load as one vector.
    var planes = [Float](repeating: 0, count: 3 * image.height * width)
    let planeSize = image.height * width
    image.pixels.withUnsafeBufferPointer { rgb in
        planes.withUnsafeMutableBufferPointer { planes in
            for i in 0..<planeSize {
                for c in 0..<3 { planes[c &* planeSize &+ i] = Float(rgb[i &* 3 &+ c]) }
            }
        }
    }
    let directionsX = orientationX, directionsY = orientationY
    // Horizontal voting positions and weights depend only on x; the two paths compute them differently.
    var vectorEnd = 1
    while vectorEnd < visibleCols - 7 { vectorEnd += 8 }
    var voteColumn = [Int](repeating: 0, count: visibleCols), voteRight = [Float](repeating: 0, count: visibleCols)
    var voteLeft = [Float](repeating: 0, count: visibleCols)
    for x in 1..<visibleCols {
        if x < vectorEnd {
            let xp = (Float(x) + 0.5) / Float(cell) + 0.5
            voteColumn[x] = Int(xp)  // already shifted by the histogram margin
            voteRight[x] = xp - Float(voteColumn[x])
            voteLeft[x] = 1 - voteRight[x]
        } else {
            let xp = Float((Double(x) + 0.5) / Double(cell) - 0.5)
            let ixp = Int(xp.rounded(.down))
            voteColumn[x] = ixp + 1
            voteRight[x] = xp - Float(ixp)
            voteLeft[x] = Float(1.0 - Double(voteRight[x]))
        }
    }
    // The vector path's weights, eight columns per entry.
    let blockRight = stride(from: 1, to: vectorEnd, by: 8).map { x in SIMD8<Float>((0..<8).map { voteRight[x + $0] }) }
    let blockLeft = stride(from: 1, to: vectorEnd, by: 8).map { x in SIMD8<Float>((0..<8).map { voteLeft[x + $0] }) }
    planes.withUnsafeBufferPointer { planes in
        histogram.withUnsafeMutableBufferPointer { hist in
            let p = planes.baseAddress!
            @inline(__always) func load8(_ offset: Int) -> SIMD8<Float> {
                UnsafeRawPointer(p + offset).loadUnaligned(as: SIMD8<Float>.self)
            }
            for y in 1..<visibleRows {
                let yp = Float((Double(Float(y)) + 0.5) / Double(cell) - 0.5)
                let iy = Int(yp.rounded(.down))
                let vy0 = yp - Float(iy)
                let vy1 = Float(1.0 - Double(vy0))
                let upper = (iy + 1) * histCols * 18, lower = (iy + 2) * histCols * 18
                var x = 1
                while x < visibleCols - 7 {  // dlib's 8-wide Float32 path
                    var gx = SIMD8<Float>(), gy = SIMD8<Float>(), length = SIMD8<Float>(repeating: -1)
                    for c in 0..<3 {
                        let row = c * planeSize + y * width + x
                        let cgx = load8(row + 1) - load8(row - 1)
                        let cgy = load8(row + width) - load8(row - width)
                        let cLength = cgx * cgx + cgy * cgy
                        let wins = cLength .>= length  // the later channel wins ties here
                        gx.replace(with: cgx, where: wins)
                        gy.replace(with: cgy, where: wins)
                        length.replace(with: cLength, where: wins)
                    }
                    let v = length.squareRoot()
                    var best = SIMD8<Float>(), bin = SIMD8<Int32>()
                    for o in 0..<9 {
                        let dot = gx * directionsX[o] + gy * directionsY[o]
                        let positive = dot .> best
                        best.replace(with: dot, where: positive)
                        bin.replace(with: Int32(o), where: positive)
                        let negative = -dot .> best
                        best.replace(with: -dot, where: negative)
                        bin.replace(with: Int32(o + 9), where: negative)
                    }
                    let vx0 = blockRight[x / 8], vx1 = blockLeft[x / 8]
                    let w11 = vy1 * (vx1 * v), w01 = vy0 * (vx1 * v), w10 = vy1 * (vx0 * v), w00 = vy0 * (vx0 * v)
                    for lane in 0..<8 {
                        let at = voteColumn[x + lane] * 18 + Int(bin[lane])
                        hist[upper + at] += w11[lane]
                        hist[lower + at] += w01[lane]
                        hist[upper + at + 18] += w10[lane]
                        hist[lower + at + 18] += w00[lane]
                    }
                    x += 8
                }
                while x < visibleCols {  // dlib's scalar path
                    var gx: Float = 0, gy: Float = 0, length: Float = -1
                    for c in 0..<3 {
                        let row = c * planeSize + y * width + x
                        let cgx = p[row + 1] - p[row - 1], cgy = p[row + width] - p[row - width]
                        let cLength = cgx * cgx + cgy * cgy
                        if cLength > length { gx = cgx; gy = cgy; length = cLength }  // the earlier channel wins ties
                    }
                    var best: Float = 0, bin = 0
                    for o in 0..<9 {
                        let dot = gx * directionsX[o] + gy * directionsY[o]
                        if dot > best { best = dot; bin = o } else if -dot > best { best = -dot; bin = o + 9 }
                    }
                    let v = length.squareRoot()
                    let vx0 = voteRight[x], vx1 = voteLeft[x]
                    let at = voteColumn[x] * 18 + bin
                    hist[upper + at] += vy1 * vx1 * v
                    hist[lower + at] += vy0 * vx1 * v
                    hist[upper + at + 18] += vy1 * vx0 * v
                    hist[lower + at + 18] += vy0 * vx0 * v
                    x += 1
                }
            }
        }
    }
    return histogram
}
