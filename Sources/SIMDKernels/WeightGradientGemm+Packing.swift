extension WeightGradientGemm {
    /// B for the strip's pixels (k counts them row by row): panel j (at `out + j·pixels·panelWidth`) row k
    /// holds gradient[pixel k][j·panelWidth ..< (j+1)·panelWidth], zero past the last column.
    func packGradient(_ strip: Strip, panelWidth nr: Int, into out: UnsafeMutablePointer<Float>) {
        for j in 0..<panelCount(columns, nr) {
            let width = min(nr, columns - j * nr), panel = out + j * strip.pixels * nr
            var k = 0
            for row in strip.gridRows {
                let from = gradient + (row * gridWidth + strip.gridColumns.lowerBound) * columns + j * nr
                copyColumns(from: from, step: columns, to: panel + k * nr, mr: nr, width: width,
                            count: strip.gridColumns.count)
                k += strip.gridColumns.count
            }
            if width < nr { zeroColumns(panel + width, mr: nr, width: nr - width, count: strip.pixels) }
        }
    }

    /// Panels firstPanel... for the strip's pixels (k counts them row by row), from their `runs`, `mr`
    /// interleaved rows each: panel firstPanel + u starts at out + u·(pixels + extra)·mr and holds
    /// out[k·mr + i] = its row i at pixel k, zero for rows no run covers. A panel packed `extra` columns
    /// wider (single-row strips only) serves the tiles that read it shifted.
    ///
    /// Packed a piece at a time (up to 32 columns of one grid row, every run), so the source pixels a piece
    /// reads, which panels of the same kernel row share, stay in L1 from one panel to the next.
    func packInput(_ strip: Strip, runs: UnsafeBufferPointer<Run>, firstPanel: Int, extra: Int, mr: Int,
                   into out: UnsafeMutablePointer<Float>) {
        let panelSize = (strip.pixels + extra) * mr
        // Only the last tile of all can be partial: rows past its last run are zero.
        if let last = runs.last, last.row + last.width < mr {
            zeroColumns(out + (last.panel - firstPanel) * panelSize + last.row + last.width, mr: mr,
                        width: mr - last.row - last.width, count: strip.pixels + extra)
        }
        var k = 0
        for row in strip.gridRows {
            let n = row / gridHeight, y = row - n * gridHeight, end = strip.gridColumns.upperBound + extra
            for first in Swift.stride(from: strip.gridColumns.lowerBound, to: end, by: 32) {
                let piece = first..<min(first + 32, end)
                for run in runs {
                    packPiece(run, image: n, gridY: y, gridColumns: piece, mr: mr,
                              into: out + (run.panel - firstPanel) * panelSize + k * mr + run.row)
                }
                k += piece.count
            }
        }
    }

    /// One run's channels for grid columns `gridColumns` of grid row (image, gridY) into columns of `out`.
    private func packPiece(_ run: Run, image: Int, gridY: Int, gridColumns: Range<Int>, mr: Int,
                           into out: UnsafeMutablePointer<Float>) {
        let first = gridColumns.lowerBound, end = gridColumns.upperBound
        let sourceY = gridY * stride + run.tapY - padding
        guard sourceY >= 0 && sourceY < sourceHeight else {
            zeroColumns(out, mr: mr, width: run.width, count: end - first)
            return
        }
        let lo = min(max(run.firstInside, first), end), hi = max(min(run.endInside, end), lo)
        let pixel = source + ((image * sourceHeight + sourceY) * sourceWidth + lo * stride + run.tapX - padding) * channels
        zeroColumns(out, mr: mr, width: run.width, count: lo - first)
        copyColumns(from: pixel + run.channel, step: stride * channels, to: out + (lo - first) * mr, mr: mr,
                    width: run.width, count: hi - lo)
        zeroColumns(out + (hi - first) * mr, mr: mr, width: run.width, count: end - hi)
    }
}

/// out[k·mr + i] = from[k·step + i] for i < width, k < count: the full-tile widths of A (6, 8) and B (8,
/// 16), and the 4 and 2 of tiles that cross into the next tap, as vectors per pixel; other widths (B's 64 on
/// AVX-512) eight floats at a time. Not inlined, so that the loops keep their few pointers in registers.
@inline(never)
private func copyColumns(from: UnsafePointer<Float>, step: Int, to out: UnsafeMutablePointer<Float>, mr: Int,
                         width: Int, count: Int) {
    switch width {
    case 16: copyVectors(SIMD16<Float>.self, from: from, step: step, to: out, mr: mr, count: count)
    case 8: copyVectors(SIMD8<Float>.self, from: from, step: step, to: out, mr: mr, count: count)
    case 6:
        var source = UnsafeRawPointer(from), destination = UnsafeMutableRawPointer(out)
        for _ in 0..<count {
            let low = source.loadUnaligned(as: SIMD4<Float>.self)
            let high = source.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self)
            destination.storeBytes(of: low, as: SIMD4<Float>.self)
            destination.storeBytes(of: high, toByteOffset: 16, as: SIMD2<Float>.self)
            source += step &* 4; destination += mr &* 4
        }
    case 4: copyVectors(SIMD4<Float>.self, from: from, step: step, to: out, mr: mr, count: count)
    case 2: copyVectors(SIMD2<Float>.self, from: from, step: step, to: out, mr: mr, count: count)
    default:
        let vectors = width / 8 * 8
        for k in 0..<count {
            let source = from + k &* step, destination = out + k &* mr
            for i in Swift.stride(from: 0, to: vectors, by: 8) {
                UnsafeMutableRawPointer(destination + i)
                    .storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            }
            for i in vectors..<width { destination[i] = source[i] }
        }
    }
}

/// One vector of `V` per pixel: out[k·mr ..] = from[k·step ..].
@inline(__always)
private func copyVectors<V: SIMD>(_: V.Type, from: UnsafePointer<Float>, step: Int, to out: UnsafeMutablePointer<Float>,
                                  mr: Int, count: Int) where V.Scalar == Float {
    var source = UnsafeRawPointer(from), destination = UnsafeMutableRawPointer(out)
    let sourceStep = step &* 4, destinationStep = mr &* 4
    for _ in 0..<count {
        destination.storeBytes(of: source.loadUnaligned(as: V.self), as: V.self)
        source += sourceStep; destination += destinationStep
    }
}

/// out[k·mr + i] = 0 for i < width, k < count.
private func zeroColumns(_ out: UnsafeMutablePointer<Float>, mr: Int, width: Int, count: Int) {
    for k in 0..<max(0, count) {
        for i in 0..<width { out[k * mr + i] = 0 }
    }
}
