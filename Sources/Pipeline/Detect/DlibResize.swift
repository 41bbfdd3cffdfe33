/// dlib's bilinear `resize_image` for RGB images, reproduced to the bit (specs/align.md §4.2).
///
/// dlib runs the columns four at a time in Float32 (truncating `simd4i(x)` conversions) while the right
/// neighbour of the fourth lane stays inside the image, and finishes each row in Double. Both paths, and the
/// order of their operations, are kept here because the detector's boxes depend on the exact pixel values.
/// The column positions are the same for every row, so they are worked out once.
func dlibResizeBilinear(_ source: RGBImage, width: Int, height: Int) -> RGBImage {
    var output = RGBImage(width: width, height: height)
    guard width > 0, height > 0, source.width > 0, source.height > 0 else { return output }
    let xScale = Double(source.width - 1) / Double(max(width - 1, 1))
    let yScale = Double(source.height - 1) / Double(max(height - 1, 1))
    let sourceWidth = source.width

    // Float32 columns: lane positions start at [−4, −3, −2, −1]·xScale and step by Float(4·xScale).
    var floatLeft: [Int] = [], floatFraction: [Float] = []
    let step = Float(4 * xScale), start = -4 * xScale
    var lanes = SIMD4<Float>(Float(start), Float(start + xScale), Float(start + 2 * xScale), Float(start + 3 * xScale))
    while floatLeft.count + 4 <= width {
        lanes += step
        let left = (0..<4).map { Int(lanes[$0]) }
        if left[3] + 1 >= sourceWidth { break }
        for k in 0..<4 {
            floatLeft.append(left[k])
            floatFraction.append(lanes[k] - Float(left[k]))
        }
    }
    let floatColumns = floatLeft.count

    source.pixels.withUnsafeBufferPointer { src in
        output.pixels.withUnsafeMutableBufferPointer { out in
            var y = -yScale
            for row in 0..<height {
                y += yScale
                let top = Int(y.rounded(.down))
                let bottom = min(top + 1, source.height - 1)
                let tb = y - Double(top)
                let topRow = top * sourceWidth * 3, bottomRow = bottom * sourceWidth * 3
                let outRow = row * width * 3

                let tbf = Float(tb), itbf = Float(1 - tb)
                floatLeft.withUnsafeBufferPointer { floatLeft in
                    floatFraction.withUnsafeBufferPointer { floatFraction in
                        let topPixels = src.baseAddress! + topRow, bottomPixels = src.baseAddress! + bottomRow
                        var target = out.baseAddress! + outRow
                        for column in 0..<floatColumns {
                            let lr = floatFraction[column], ilr = 1 - lr
                            let tlf = itbf * ilr, trf = itbf * lr, blf = tbf * ilr, brf = tbf * lr
                            let t = topPixels + floatLeft[column] * 3, b = bottomPixels + floatLeft[column] * 3
                            for c in 0..<3 {
                                let value = ((tlf * Float(t[c]) + trf * Float(t[c + 3])) + blf * Float(b[c])) + brf * Float(b[c + 3])
                                target[c] = truncatedByte(value)
                            }
                            target += 3
                        }
                    }
                }

                // The remaining columns, in Double.
                var x = -xScale + Double(floatColumns) * xScale
                for column in floatColumns..<width {
                    x += xScale
                    let left = Int(x.rounded(.down))
                    let right = min(left + 1, sourceWidth - 1)
                    let lr = x - Double(left)
                    for c in 0..<3 {
                        let tl = Double(src[topRow + left * 3 + c]), tr = Double(src[topRow + right * 3 + c])
                        let bl = Double(src[bottomRow + left * 3 + c]), br = Double(src[bottomRow + right * 3 + c])
                        let value = (1 - tb) * ((1 - lr) * tl + lr * tr) + tb * ((1 - lr) * bl + lr * br)
                        out[outRow + column * 3 + c] = UInt8(truncatingIfNeeded: Int(value))
                    }
                }
            }
        }
    }
    return output
}

/// `UInt8(v)` for v in [0, 256) without a range check: truncate, then read the integer out of the low
/// mantissa bits of v + 2^23 (exact for integral v < 2^23).
@inline(__always) private func truncatedByte(_ v: Float) -> UInt8 {
    UInt8(truncatingIfNeeded: (v.rounded(.towardZero) + 8_388_608).bitPattern)
}
