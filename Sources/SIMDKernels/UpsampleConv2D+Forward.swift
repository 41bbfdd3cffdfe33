/// The forward pass (see `forEachBand`): per band, the phase GEMMs write the t rows that the band's output
/// rows need, then the blur reads them. Every element of t and of the output is the same sum, in the same
/// order, as in a pass over the whole map.
extension UpsampleConv2D {
    func forward(input: UnsafePointer<Float>, phases: [PackedMatrix], output: UnsafeMutablePointer<Float>) {
        let blur = try! Upfirdn2D.transposedConvBlur.axisOperators(for: transposedShape)  // validated at init
        let tapOffsets = PhaseTapOffsets(self)
        defer { tapOffsets.deallocate() }
        withZeros(inputChannels) { zeros in
            nonisolated(unsafe) let (zeros, output) = (zeros, output)
            forEachBand { band, rowBuffer, n, rows, banded in
                // Output rows 2a ..< 2b read t rows 2a − 1 ... 2b + 1.
                band.keep(from: max(0, 2 * rows.lowerBound - 1))
                let end = min(2 * rows.upperBound + 2, transposedShape.height)
                computeRows(band.end..<end, of: input + n * height * width * inputChannels, phases: phases,
                            taps: tapOffsets, zeros: zeros, into: band, banded: banded)
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
        }
    }

    /// t rows `rows` of one image, both parities, into `band` (which must hold rows from `band.top` on).
    private func computeRows(_ rows: Range<Int>, of image: UnsafePointer<Float>, phases: [PackedMatrix],
                             taps: PhaseTapOffsets, zeros: UnsafePointer<Float>, into band: TransposedBand,
                             banded: Bool) {
        for (index, phase) in Self.phases.enumerated() {
            // Grid row P of this phase is t row 2P + phase.y; the phase has height + 1 − phase.y rows.
            let first = (rows.lowerBound - phase.y + 1) / 2
            let last = min((rows.upperBound - phase.y + 1) / 2, height + 1 - phase.y)
            guard first < last else { continue }
            let gather = TapGather(
                source: image, sourceHeight: height, sourceWidth: width, channels: inputChannels,
                gridHeight: last - first, gridWidth: width + 1 - phase.x, stride: 1,
                tapY: taps.y + 4 * index, tapX: taps.x + 4 * index, zeros: zeros, destination: band.storage,
                destinationHeight: transposedShape.height, destinationWidth: transposedShape.width, destinationChannels: outputChannels,
                destinationStride: 2, destinationY: phase.y - band.top, destinationX: phase.x, gridTop: first)
            runBandGemm(gather, b: phases[index], layout: KLayout(segments: taps.count[index], length: inputChannels),
                        beta: 0, banded: banded)
        }
    }
}

/// The tap offsets of the four phases in one allocation: phase i's (y, x) source offsets at
/// y[4i ..< 4i + count[i]] and x[...], in the order of `phaseTaps` (the order of the packed weights' rows).
private struct PhaseTapOffsets {
    let y: UnsafeMutablePointer<Int>
    let x: UnsafeMutablePointer<Int>
    let count: [Int]

    init(_ conv: UpsampleConv2D) {
        y = .allocate(capacity: 16)
        x = .allocate(capacity: 16)
        var count: [Int] = []
        for (index, phase) in UpsampleConv2D.phases.enumerated() {
            let taps = conv.phaseTaps(phase.y, phase.x)
            for (t, (a, b)) in taps.enumerated() {
                // Output 2P + phase takes tap a from input row P − (a − phase)/2.
                y[4 * index + t] = -(a - phase.y) / 2
                x[4 * index + t] = -(b - phase.x) / 2
            }
            count.append(taps.count)
        }
        self.count = count
    }

    func deallocate() {
        y.deallocate()
        x.deallocate()
    }
}
