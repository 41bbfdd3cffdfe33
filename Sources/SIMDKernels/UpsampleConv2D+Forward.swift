/// The forward pass (see `forEachBand`): per band, the phase GEMMs write the t rows that the band's output
/// rows need, then the blur reads them. Every element of t and of the output is the same sum, in the same
/// order, as in a pass over the whole map.
extension UpsampleConv2D {
    func forward(input: UnsafePointer<Float>, phases: [PackedMatrix], output: UnsafeMutablePointer<Float>) {
        let blur = try! Upfirdn2D.transposedConvBlur.axisOperators(for: transposedShape)  // validated at init
        // Each phase's (y, x) source offsets, in the order of `phaseTaps` (its packed weights' rows), the four
        // phases one after another: output 2P + phase takes tap a from input row P − (a − phase)/2.
        let phaseOffsets = Self.phases.map { phase in
            phaseTaps(phase.y, phase.x).map { (-($0.0 - phase.y) / 2, -($0.1 - phase.x) / 2) }
        }
        let tapCounts = phaseOffsets.map(\.count)
        withTapOffsets(taps: Array(phaseOffsets.joined())) { tapY, tapX in withZeros(inputChannels) { zeros in
            nonisolated(unsafe) let (tapY, tapX, zeros, output) = (tapY, tapX, zeros, output)
            forEachBand { band, rowBuffer, n, rows, banded in
                // Output rows 2a ..< 2b read t rows 2a − 1 ... 2b + 1.
                band.keep(from: max(0, 2 * rows.lowerBound - 1))
                let end = min(2 * rows.upperBound + 2, transposedShape.height)
                computeRows(band.end..<end, of: input + n * height * width * inputChannels, phases: phases,
                            tapCounts: tapCounts, tapY: tapY, tapX: tapX, zeros: zeros, into: band, banded: banded)
                band.end = end
                let line = output + ((n * outputHeight + 2 * rows.lowerBound) * outputWidth) * outputChannels
                if banded {
                    ResamplingMatrix.applySeparable(
                        rows: blur.rows, columns: blur.columns, band.storage, firstInputRow: band.top,
                        channels: outputChannels, outputRows: (2 * rows.lowerBound)..<(2 * rows.upperBound),
                        rowBuffer: rowBuffer, line)
                } else {
                    ResamplingMatrix.applySeparable(rows: blur.rows, columns: blur.columns, band.storage,
                                                    shape: transposedShape.oneImage, line)
                }
            }
        } }
    }

    /// t rows `rows` of one image, both parities, into `band` (which must hold rows from `band.top` on). Phase i's
    /// tap offsets are `tapCounts[i]` entries of `tapY`/`tapX`, after the earlier phases'.
    private func computeRows(_ rows: Range<Int>, of image: UnsafePointer<Float>, phases: [PackedMatrix],
                             tapCounts: [Int], tapY: UnsafePointer<Int>, tapX: UnsafePointer<Int>,
                             zeros: UnsafePointer<Float>, into band: TransposedBand, banded: Bool) {
        for (index, phase) in Self.phases.enumerated() {
            // Grid row P of this phase is t row 2P + phase.y; the phase has height + 1 − phase.y rows.
            let first = (rows.lowerBound - phase.y + 1) / 2
            let last = min((rows.upperBound - phase.y + 1) / 2, height + 1 - phase.y)
            guard first < last else { continue }
            let firstTap = tapCounts[..<index].reduce(0, +)
            let gather = TapGather(
                source: image, sourceHeight: height, sourceWidth: width, channels: inputChannels,
                gridHeight: last - first, gridWidth: width + 1 - phase.x, stride: 1,
                tapY: tapY + firstTap, tapX: tapX + firstTap, zeros: zeros, destination: band.storage,
                destinationHeight: transposedShape.height, destinationWidth: transposedShape.width, destinationChannels: outputChannels,
                destinationStride: 2, destinationY: phase.y - band.top, destinationX: phase.x, gridTop: first)
            runBandGemm(gather, b: phases[index], layout: KLayout(segments: tapCounts[index], length: inputChannels),
                        beta: 0, banded: banded)
        }
    }
}
