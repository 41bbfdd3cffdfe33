/// The backward-data pass (see `forEachBand`): per band, the blur's adjoint writes the g_t rows that the
/// band's input rows read, then the stride-2 correlation reads them. Every element of g_t and of the input
/// gradient is the same sum, in the same order, as in a pass over the whole map.
extension UpsampleConv2D {
    func backwardData(outputGradient: UnsafePointer<Float>, packed: PackedMatrix,
                      inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let blur = try! Upfirdn2D.transposedConvBlur.axisOperators(for: transposedShape)  // validated at init
        let rows = blur.rows.transposed(), columns = blur.columns.transposed()
        nonisolated(unsafe) let inputGradient = inputGradient
        forEachBand { band, rowBuffer, n, inputRows, banded in
            // Input rows a ..< b read g_t rows 2a ... 2b.
            band.keep(from: 2 * inputRows.lowerBound)
            let end = 2 * inputRows.upperBound + 1
            let image = outputGradient + n * outputHeight * outputWidth * outputChannels
            if banded {
                ResamplingMatrix.applySeparable(
                    rows: rows, columns: columns, image, firstInputRow: 0, channels: outputChannels,
                    outputRows: band.end..<end, rowBuffer: rowBuffer, band.storage + (band.end - band.top) * band.rowLength)
            } else {
                ResamplingMatrix.applySeparable(rows: rows, columns: columns, image, shape: blur.output.oneImage,
                                                band.storage)
            }
            band.end = end
            backwardDataRows(inputRows, transposedGradient: band.storage + (2 * inputRows.lowerBound - band.top) * band.rowLength,
                             packed: packed, inputGradient: inputGradient + n * height * width * inputChannels,
                             accumulate: accumulate, banded: banded)
        }
    }

    /// Input-gradient rows `rows` of one image (=, or += when `accumulate`) from g_t rows 2a ... 2b stored
    /// from `gt` on: the stride-2 correlation, an implicit GEMM with M = pixels, N = Cin, K = 9·Cout.
    func backwardDataRows(_ rows: Range<Int>, transposedGradient gt: UnsafePointer<Float>, packed: PackedMatrix,
                          inputGradient image: UnsafeMutablePointer<Float>, accumulate: Bool, banded: Bool) {
        withTapOffsets(taps: (0..<9).map { ($0 / 3, $0 % 3) }) { tapY, tapX in
            withZeros(outputChannels) { zeros in
                let gather = TapGather(
                    source: gt, sourceHeight: 2 * rows.count + 1, sourceWidth: transposedShape.width,
                    channels: outputChannels, gridHeight: rows.count, gridWidth: width, stride: 2,
                    tapY: tapY, tapX: tapX, zeros: zeros, destination: image + rows.lowerBound * width * inputChannels,
                    destinationHeight: rows.count, destinationWidth: width, destinationChannels: inputChannels)
                runBandGemm(gather, b: packed, layout: KLayout(segments: 9, length: outputChannels),
                            beta: accumulate ? 1 : 0, banded: banded)
            }
        }
    }
}
