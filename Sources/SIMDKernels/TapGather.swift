/// The A operand of a convolution run as an implicit GEMM (IGEMM): rows are output pixels, segments are
/// kernel taps, and each (pixel, tap) row points straight into the NHWC source (no im2col).
///
/// Row r is pixel (n, y, x) of a `gridHeight × gridWidth` grid per image. Tap t reads the `channels`
/// floats of source pixel (n, y·stride + tapY[t], x·stride + tapX[t]), or a zero row when that pixel is
/// outside the source: borders are handled here, so activations need no halo. The result of row r goes
/// to destination pixel (n, y·destinationStride + destinationY, x·destinationStride + destinationX),
/// which lets the sub-pixel phases of a strided backward pass or an upsampling conv write interleaved.
/// A band of the grid is rows `gridTop ..< gridTop + gridHeight` of one image: grid y above is y + gridTop.
struct TapGather: RowSource {
    var source: UnsafePointer<Float>
    var sourceHeight: Int
    var sourceWidth: Int
    var channels: Int
    var gridHeight: Int
    var gridWidth: Int
    var stride: Int
    /// Tap offsets in source pixels, one (y, x) pair per segment.
    var tapY: UnsafePointer<Int>
    var tapX: UnsafePointer<Int>
    /// At least one segment's floats of zeros (`channels`, or more when a segment runs over several pixels).
    var zeros: UnsafePointer<Float>
    var destination: UnsafeMutablePointer<Float>
    var destinationHeight: Int
    var destinationWidth: Int
    var destinationChannels: Int
    var destinationStride: Int = 1
    var destinationY: Int = 0
    var destinationX: Int = 0
    var gridTop: Int = 0

    var ks: Int { 1 }

    var rows: Int { gridHeight * gridWidth }

    /// (image, y, x) of grid row `r`.
    @inline(__always) private func pixel(_ r: Int) -> (n: Int, y: Int, x: Int) {
        let perImage = gridHeight * gridWidth
        let n = r / perImage, rest = r - n * perImage
        let y = rest / gridWidth
        return (n, y, rest - y * gridWidth)
    }

    func fillRows(_ out: UnsafeMutablePointer<UnsafePointer<Float>>, mr: Int, first: Int, count: Int,
                  segments: Range<Int>) {
        var (n, y, x) = pixel(first)
        if count == mr && x + mr <= gridWidth {
            // The tile lies in one grid row: a tap whose first and last pixels are inside the source reads
            // mr source pixels `stride` apart, one address and a step (most tiles of a large map).
            let imageRow = n * sourceHeight, top = (y + gridTop) * stride, left = x * stride, step = stride * channels
            var slot = out
            for s in segments {
                let iy = top + tapY[s], ix = left + tapX[s]
                if iy >= 0 && iy < sourceHeight && ix >= 0 && ix + (mr - 1) * stride < sourceWidth {
                    let pixel = source + ((imageRow + iy) * sourceWidth + ix) * channels
                    for i in 0..<mr { slot[i] = pixel + i * step }
                } else {
                    for i in 0..<mr { slot[i] = sourceRow(imageRow, iy, ix + i * stride) }
                }
                slot += mr
            }
            return
        }
        // Source coordinates of the tile's pixels, walked from the first without further divisions.
        var image = InlineArray<16, Int>(repeating: 0), top = InlineArray<16, Int>(repeating: 0)
        var left = InlineArray<16, Int>(repeating: 0)
        for i in 0..<mr {
            if i < count {
                image[i] = n * sourceHeight; top[i] = (y + gridTop) * stride; left[i] = x * stride
                x += 1
                if x == gridWidth { x = 0; y += 1; if y == gridHeight { y = 0; n += 1 } }
            } else {
                image[i] = image[0]; top[i] = top[0]; left[i] = left[0]
            }
        }
        var slot = out
        for s in segments {
            let dy = tapY[s], dx = tapX[s]
            for i in 0..<mr { slot[i] = sourceRow(image[i], top[i] + dy, left[i] + dx) }
            slot += mr
        }
    }

    /// Source pixel (iy, ix) of the image starting at source row `imageRow`, or the zero row outside.
    @inline(__always) private func sourceRow(_ imageRow: Int, _ iy: Int, _ ix: Int) -> UnsafePointer<Float> {
        iy >= 0 && iy < sourceHeight && ix >= 0 && ix < sourceWidth
            ? source + ((imageRow + iy) * sourceWidth + ix) * channels : zeros
    }

    func fillOutputRows(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>>, first: Int, count: Int) {
        var (n, y, x) = pixel(first)
        for i in 0..<count {
            let dy = (y + gridTop) * destinationStride + destinationY, dx = x * destinationStride + destinationX
            out[i] = destination + ((n * destinationHeight + dy) * destinationWidth + dx) * destinationChannels
            x += 1
            if x == gridWidth { x = 0; y += 1; if y == gridHeight { y = 0; n += 1 } }
        }
    }
}
