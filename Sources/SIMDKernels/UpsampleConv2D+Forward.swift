import Glibc

/// The forward pass, a band of output rows at a time.
///
/// The transposed conv's output t has (2H+1)² pixels (17 MB in the paper256 generator's 128² → 256² layer).
/// Written whole by the four phase GEMMs and then read by the blur, it went through DRAM twice, and on two
/// cores the GEMMs waited on those stores. Instead each worker takes a range of input rows and walks it in
/// bands: the phase GEMMs write the t rows that the band's output rows need into a buffer that stays in L2,
/// and the blur reads them from there. Output rows 2a ..< 2b read t rows 2a − 1 ... 2b + 1 (four taps,
/// padding 1), so consecutive bands share three t rows, which move to the top of the buffer rather than
/// being computed again; only a worker's first band computes t rows that its neighbour computes too (about
/// one input row of work). A band holds at least two row chunks (`Blocking.mc`) of each phase GEMM, since the
/// GEMM streams its B (the weights) once per chunk. Smaller maps, whose t stays in the L3 between the GEMMs
/// and the blur, and maps with fewer than `minimumRowsPerWorker` input rows per worker (their first bands'
/// duplicated rows would cost over 3%), run as one band, each GEMM and the blur split across the workers.
/// Either way every element of t and of the output is the same sum, in the same order.
extension UpsampleConv2D {
    static let minimumRowsPerWorker = 16
    /// Floats of t per image from which the forward pass goes in bands: 8 MiB, a quarter of the L3.
    static let bandedFloats = 1 << 21

    func forward(input: UnsafePointer<Float>, phases: [PackedMatrix], output: UnsafeMutablePointer<Float>) {
        let threads = Parallel.threadCount
        let rowLength = transposedShape.width * outputChannels
        let banded = height >= Self.minimumRowsPerWorker * threads && transposedShape.height * rowLength >= Self.bandedFloats
        let workers = banded ? threads : 1
        let bandRows = banded ? (2 * Blocking.mc + width) / (width + 1) : height
        let bandCapacity = (2 * bandRows + 3) * rowLength
        let blur = try! Upfirdn2D.transposedConvBlur.axisOperators(for: transposedShape)  // validated at init
        let tapOffsets = PhaseTapOffsets(self)
        defer { tapOffsets.deallocate() }
        ScratchPool.with(workers * (bandCapacity + rowLength)) { scratch in
            withZeros(inputChannels) { zeros in
                nonisolated(unsafe) let (scratch, zeros, output) = (scratch, zeros, output)
                Parallel.forEach(workers) { w in
                    let rowBuffer = scratch + w * (bandCapacity + rowLength) + bandCapacity
                    for n in 0..<batch {
                        var band = TransposedBand(storage: scratch + w * (bandCapacity + rowLength), rowLength: rowLength)
                        let image = input + n * height * width * inputChannels
                        let outputImage = output + n * outputHeight * outputWidth * outputChannels
                        let range = share(height, w, workers)
                        for a in stride(from: range.lowerBound, to: range.upperBound, by: bandRows) {
                            let b = min(a + bandRows, range.upperBound)
                            band.keep(from: max(0, 2 * a - 1))
                            let end = min(2 * b + 2, transposedShape.height)
                            computeRows(band.end..<end, of: image, phases: phases, taps: tapOffsets, zeros: zeros,
                                        into: band, parallel: !banded)
                            band.end = end
                            let rows = (2 * a)..<(2 * b), line = outputImage + 2 * a * outputWidth * outputChannels
                            if banded {
                                ResamplingMatrix.applySeparable(
                                    rows: blur.rows, columns: blur.columns, band.storage, firstInputRow: band.top,
                                    channels: outputChannels, outputRows: rows, rowBuffer: rowBuffer, line)
                            } else {
                                var shape = transposedShape
                                shape.batch = 1
                                ResamplingMatrix.applySeparable(rows: blur.rows, columns: blur.columns, band.storage,
                                                                shape: shape, line)
                            }
                        }
                    }
                }
            }
        }
    }

    /// t rows `rows` of one image, both parities, into `band` (which must hold rows from `band.top` on).
    private func computeRows(_ rows: Range<Int>, of image: UnsafePointer<Float>, phases: [PackedMatrix],
                             taps: PhaseTapOffsets, zeros: UnsafePointer<Float>, into band: TransposedBand,
                             parallel: Bool) {
        let tile = Tile.forColumns(outputChannels)
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
            let layout = KLayout(segments: taps.count[index], length: inputChannels)
            if parallel {
                runGemm(gather, m: gather.rows, b: phases[index], layout: layout, tile: tile, alpha: 1, beta: 0, bias: nil)
            } else {
                runGemmOnCurrentThread(gather, m: gather.rows, b: phases[index], layout: layout, tile: tile,
                                       alpha: 1, beta: 0, bias: nil)
            }
        }
    }
}

/// Rows `top ..< end` of one image's transposed-conv output t, stored from `storage` on.
private struct TransposedBand {
    let storage: UnsafeMutablePointer<Float>
    let rowLength: Int
    var top = 0
    var end = 0

    init(storage: UnsafeMutablePointer<Float>, rowLength: Int) {
        self.storage = storage
        self.rowLength = rowLength
    }

    /// Drops the rows above `row`, moving the rest up to the start of the storage.
    mutating func keep(from row: Int) {
        guard row > top else { return }
        let kept = max(0, end - row)
        if kept > 0 {
            memmove(storage, storage + (row - top) * rowLength, kept * rowLength * MemoryLayout<Float>.size)
        }
        top = row
        end = max(end, row)
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
