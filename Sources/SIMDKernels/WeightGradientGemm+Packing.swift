extension WeightGradientGemm {
    /// B for pixels firstPixel..<firstPixel+count: panel j (at `out + j·count·panelWidth`) row k holds
    /// gradient[firstPixel + k][j·panelWidth ..< (j+1)·panelWidth], zero past the last column.
    func packGradient(firstPixel: Int, count: Int, panelWidth nr: Int, into out: UnsafeMutablePointer<Float>) {
        for j in 0..<panelCount(columns, nr) {
            let width = min(nr, columns - j * nr), panel = out + j * count * nr
            let from = gradient + firstPixel * columns + j * nr
            for k in 0..<count {
                (panel + k * nr).update(from: from + k * columns, count: width)
                (panel + k * nr + width).update(repeating: 0, count: nr - width)
            }
        }
    }

    /// A's rows firstRow..<firstRow+m for pixels firstPixel..<firstPixel+count as an im2col panel of `mr`
    /// interleaved rows: out[k·mr + i] = A[firstRow + i][firstPixel + k], zero for rows i ≥ m.
    ///
    /// Row r is channel r % channels of tap r / channels, so the tile's rows fall into runs of consecutive
    /// channels of one tap (one run, unless the tile crosses into the next tap); each run is a copy of
    /// contiguous floats per pixel.
    func packInput(firstRow: Int, m: Int, mr: Int, firstPixel: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        if m < mr { zeroColumns(out + m, mr: mr, width: mr - m, count: count) }
        var i = 0
        while i < m {
            let tap = (firstRow + i) / channels, channel = firstRow + i - tap * channels
            let width = min(m - i, channels - channel)
            packRun(tapY: tap / kernel, tapX: tap % kernel, channel: channel, width: width, mr: mr,
                    firstPixel: firstPixel, count: count, into: out + i)
            i += width
        }
    }

    /// Channels channel..<channel+width of tap (tapY, tapX) for `count` pixels into columns of `out`.
    private func packRun(tapY: Int, tapX: Int, channel: Int, width: Int, mr: Int, firstPixel: Int, count: Int,
                         into out: UnsafeMutablePointer<Float>) {
        // Grid columns whose window column x·stride + tapX − padding lies inside the source.
        let firstInside = ceilingDivision(padding - tapX, stride)
        let endInside = floorDivision(sourceWidth - 1 + padding - tapX, stride) + 1
        let perImage = gridHeight * gridWidth
        var n = firstPixel / perImage, y = (firstPixel - n * perImage) / gridWidth
        var x = firstPixel - n * perImage - y * gridWidth
        var k = 0
        while k < count {
            let length = min(count - k, gridWidth - x), segment = out + k * mr
            let sourceY = y * stride + tapY - padding
            if sourceY < 0 || sourceY >= sourceHeight {
                zeroColumns(segment, mr: mr, width: width, count: length)
            } else {
                let lo = min(max(firstInside, x), x + length), hi = max(min(endInside, x + length), lo)
                let row = source + ((n * sourceHeight + sourceY) * sourceWidth + lo * stride + tapX - padding) * channels
                zeroColumns(segment, mr: mr, width: width, count: lo - x)
                copyColumns(from: row + channel, step: stride * channels, to: segment + (lo - x) * mr, mr: mr,
                            width: width, count: hi - lo)
                zeroColumns(segment + (hi - x) * mr, mr: mr, width: width, count: x + length - hi)
            }
            k += length
            x = 0; y += 1
            if y == gridHeight { y = 0; n += 1 }
        }
    }
}

/// out[k·mr + i] = from[k·step + i] for i < width, k < count. The full-tile widths (6 and 8 rows) copy
/// one or two vectors per pixel.
@inline(__always)
private func copyColumns(from: UnsafePointer<Float>, step: Int, to out: UnsafeMutablePointer<Float>, mr: Int,
                         width: Int, count: Int) {
    let source = UnsafeRawPointer(from), destination = UnsafeMutableRawPointer(out)
    switch width {
    case 8:
        for k in 0..<count {
            destination.storeBytes(of: source.loadUnaligned(fromByteOffset: k * step * 4, as: SIMD8<Float>.self),
                                   toByteOffset: k * mr * 4, as: SIMD8<Float>.self)
        }
    case 6:
        for k in 0..<count {
            let low = source.loadUnaligned(fromByteOffset: k * step * 4, as: SIMD4<Float>.self)
            let high = source.loadUnaligned(fromByteOffset: k * step * 4 + 16, as: SIMD2<Float>.self)
            destination.storeBytes(of: low, toByteOffset: k * mr * 4, as: SIMD4<Float>.self)
            destination.storeBytes(of: high, toByteOffset: k * mr * 4 + 16, as: SIMD2<Float>.self)
        }
    default:
        for k in 0..<count {
            for i in 0..<width { out[k * mr + i] = from[k * step + i] }
        }
    }
}

/// out[k·mr + i] = 0 for i < width, k < count.
private func zeroColumns(_ out: UnsafeMutablePointer<Float>, mr: Int, width: Int, count: Int) {
    for k in 0..<max(0, count) {
        for i in 0..<width { out[k * mr + i] = 0 }
    }
}

/// ⌈a / b⌉ and ⌊a / b⌋ for b > 0 and any sign of a (Swift's `/` truncates toward zero).
private func ceilingDivision(_ a: Int, _ b: Int) -> Int { a > 0 ? (a + b - 1) / b : a / b }
private func floorDivision(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
