/// A 1-D linear resampling operator stored as a sparse matrix, one row per output sample:
/// `output[o] = Σ weights[e] · input[indices[e]]` for `e` in `rowStart[o] ..< rowStart[o + 1]`.
///
/// upfirdn2d and area resizing are separable, so each is a pair of these (one per axis), and each backward
/// pass is the same pair transposed: the adjoint is exact by construction, with one apply loop for all.
struct ResamplingMatrix: Sendable {
    let inputCount: Int
    let outputCount: Int
    private let rowStart: [Int]
    private let indices: [Int]
    private let weights: [Float]

    /// `rows[o]` lists the (input index, weight) pairs of output `o`.
    init(inputCount: Int, rows: [[(index: Int, weight: Float)]]) {
        self.inputCount = inputCount
        outputCount = rows.count
        var starts = [0]
        starts.reserveCapacity(rows.count + 1)
        for row in rows { starts.append(starts[starts.count - 1] + row.count) }
        rowStart = starts
        indices = rows.flatMap { $0.map(\.index) }
        weights = rows.flatMap { $0.map(\.weight) }
    }

    /// The adjoint operator (input and output swapped).
    func transposed() -> ResamplingMatrix {
        var rows = [[(index: Int, weight: Float)]](repeating: [], count: inputCount)
        for o in 0..<outputCount {
            for e in rowStart[o]..<rowStart[o + 1] { rows[indices[e]].append((o, weights[e])) }
        }
        return ResamplingMatrix(inputCount: outputCount, rows: rows)
    }

    /// `output[0..<n] = Σ_e weights[e] · input[(indices[e] − firstIndex)·n ..< +n]`, sixteen lanes at a time.
    private static func accumulate(entries: Range<Int>, indices: UnsafeBufferPointer<Int>,
                                   weights: UnsafeBufferPointer<Float>, input: UnsafePointer<Float>, firstIndex: Int = 0,
                                   output: UnsafeMutablePointer<Float>, vectorLength n: Int) {
        var offset = 0
        while offset + 16 <= n {
            var sum = SIMD16<Float>()
            for e in entries {
                let source = UnsafeRawPointer(input + (indices[e] - firstIndex) * n + offset)
                sum = sum.addingProduct(SIMD16(repeating: weights[e]), source.loadUnaligned(as: SIMD16<Float>.self))
            }
            UnsafeMutableRawPointer(output + offset).storeBytes(of: sum, as: SIMD16<Float>.self)
            offset += 16
        }
        while offset < n {
            var sum: Float = 0
            for e in entries { sum = sum.addingProduct(weights[e], input[(indices[e] - firstIndex) * n + offset]) }
            output[offset] = sum
            offset += 1
        }
    }
}

extension ResamplingMatrix {
    /// One axis of NVlabs upfirdn2d: zero-insert (`up`), pad by `pad0`/`pad1` (negative crops), true
    /// convolution with `taps` (correlation when `flipFilter`), keep every `down`-th sample, times `gain`.
    /// Returns nil when no output sample remains.
    static func upfirdn(inputCount: Int, taps: [Float], up: Int, down: Int, pad0: Int, pad1: Int,
                        flipFilter: Bool, gain: Float) -> ResamplingMatrix? {
        let paddedLength = inputCount * up + pad0 + pad1
        guard paddedLength >= taps.count else { return nil }
        let outputCount = (paddedLength - taps.count) / down + 1
        // F.conv2d correlates; NVlabs flips the filter first unless flipFilter is set.
        let correlation = flipFilter ? taps : taps.reversed()
        let rows = (0..<outputCount).map { o in
            correlation.indices.compactMap { t -> (index: Int, weight: Float)? in
                let position = o * down + t - pad0  // on the zero-inserted canvas, before padding
                guard position >= 0, position % up == 0, position / up < inputCount else { return nil }
                return (position / up, correlation[t] * gain)
            }
        }
        return ResamplingMatrix(inputCount: inputCount, rows: rows)
    }

    /// One axis of PyTorch adaptive average pooling (`F.interpolate(mode: 'area')`): output `o` averages
    /// inputs `⌊o·n/m⌋ ..< ⌈(o+1)·n/m⌉`, which also covers non-integer ratios and upsampling.
    static func area(inputCount n: Int, outputCount m: Int) -> ResamplingMatrix {
        let rows = (0..<m).map { o in
            let start = o * n / m, end = ((o + 1) * n + m - 1) / m
            let weight = 1 / Float(end - start)
            return (start..<end).map { (index: $0, weight: weight) }
        }
        return ResamplingMatrix(inputCount: n, rows: rows)
    }

    /// Applies `rows` along H and `columns` along W to every image and channel of `input`, whose shape must
    /// have `height == rows.inputCount` and `width == columns.inputCount`.
    ///
    /// One output row at a time: its input rows are combined into a row buffer (which stays in L2), then the
    /// buffer is resampled along W into the output row. No whole-image intermediate is written, so a 17 MB map
    /// (StyleGAN2's conv0 blur at 128²) passes through memory once. Workers take ranges of output rows.
    static func applySeparable(rows: ResamplingMatrix, columns: ResamplingMatrix,
                               _ input: UnsafePointer<Float>, shape: NHWCShape, _ output: UnsafeMutablePointer<Float>) {
        let inputImage = shape.height * shape.width * shape.channels
        let outputImage = rows.outputCount * columns.outputCount * shape.channels
        let outputRows = shape.batch * rows.outputCount
        let workers = outputRows * columns.outputCount * shape.channels < 32_768 ? 1 : min(outputRows, Parallel.threadCount)
        ScratchPool.with(workers * shape.width * shape.channels) { buffers in
            Parallel.forEach(workers) { w in
                // The worker's share of all images' output rows, image by image.
                let lines = share(outputRows, w, workers)
                var line = lines.lowerBound
                while line < lines.upperBound {
                    let (n, first) = line.quotientAndRemainder(dividingBy: rows.outputCount)
                    let last = min(rows.outputCount, first + lines.upperBound - line)
                    applySeparable(rows: rows, columns: columns, input + n * inputImage, firstInputRow: 0,
                                   channels: shape.channels, outputRows: first..<last, rowBuffer: buffers + w * shape.width * shape.channels,
                                   output + n * outputImage + first * columns.outputCount * shape.channels)
                    line += last - first
                }
            }
        }
    }

    /// Output rows `outputRows` of one image on the calling thread, for a caller that holds only a band of the
    /// input: input row r (of those the band's output rows read) at `input + (r − firstInputRow)·rowLength`,
    /// output row `outputRows.lowerBound` at `output`. `rowBuffer` holds one input row.
    static func applySeparable(rows: ResamplingMatrix, columns: ResamplingMatrix, _ input: UnsafePointer<Float>,
                               firstInputRow: Int, channels c: Int, outputRows: Range<Int>,
                               rowBuffer: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let inputRow = columns.inputCount * c, outputRow = columns.outputCount * c
        rows.withEntries { rowStart, rowIndices, rowWeights in
            columns.withEntries { columnStart, columnIndices, columnWeights in
                for o in outputRows {
                    accumulate(entries: rowStart[o]..<rowStart[o + 1], indices: rowIndices, weights: rowWeights,
                               input: input, firstIndex: firstInputRow, output: rowBuffer, vectorLength: inputRow)
                    let line = output + (o - outputRows.lowerBound) * outputRow
                    for q in 0..<columns.outputCount {
                        accumulate(entries: columnStart[q]..<columnStart[q + 1], indices: columnIndices,
                                   weights: columnWeights, input: rowBuffer, output: line + q * c, vectorLength: c)
                    }
                }
            }
        }
    }

    /// Runs `body` with the operator's row starts, indices and weights.
    private func withEntries<R>(_ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Float>) -> R) -> R {
        rowStart.withUnsafeBufferPointer { rowStart in
            indices.withUnsafeBufferPointer { indices in
                weights.withUnsafeBufferPointer { weights in body(rowStart, indices, weights) }
            }
        }
    }
}
