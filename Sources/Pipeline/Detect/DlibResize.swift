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

                // The Float32 columns. A pixel's three channels are the lanes of a vector (the fourth lane
                // carries the next byte along and is dropped); each lane does dlib's per-channel arithmetic.
                let tbf = Float(tb), itbf = Float(1 - tb)
                @inline(__always) func pixel(_ offset: Int) -> SIMD4<Float> {
                    // The last pixel of the image has no fourth byte after it.
                    guard offset &+ 4 <= src.count else {
                        return SIMD4(Float(src[offset]), Float(src[offset + 1]), Float(src[offset + 2]), 0)
                    }
                    return SIMD4<Float>(UnsafeRawPointer(src.baseAddress! + offset).loadUnaligned(as: SIMD4<UInt8>.self))
                }
                floatLeft.withUnsafeBufferPointer { floatLeft in
                    floatFraction.withUnsafeBufferPointer { floatFraction in
                        var target = out.baseAddress! + outRow
                        for column in 0..<floatColumns {
                            let lr = floatFraction[column], ilr = 1 - lr
                            let tlf = itbf * ilr, trf = itbf * lr, blf = tbf * ilr, brf = tbf * lr
                            let t = topRow &+ floatLeft[column] &* 3, b = bottomRow &+ floatLeft[column] &* 3
                            let value = ((tlf * pixel(t) + trf * pixel(t &+ 3)) + blf * pixel(b)) + brf * pixel(b &+ 3)
                            let bytes = truncatedBytes(value)
                            target[0] = bytes[0]; target[1] = bytes[1]; target[2] = bytes[2]
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

/// `UInt8(v)` for each lane in [0, 256), in vector instructions only: v + 2^23 holds v rounded to the nearest
/// integer in its low mantissa bits; where that rounded up, one less.
@inline(__always) private func truncatedBytes(_ v: SIMD4<Float>) -> SIMD4<UInt8> {
    let shifted = v + 8_388_608
    // A true mask lane is all ones, so adding the mask subtracts one.
    let roundedUp = unsafeBitCast(shifted - 8_388_608 .> v, to: SIMD4<UInt32>.self)
    return SIMD4<UInt8>(truncatingIfNeeded: unsafeBitCast(shifted, to: SIMD4<UInt32>.self) &+ roundedUp)
}
