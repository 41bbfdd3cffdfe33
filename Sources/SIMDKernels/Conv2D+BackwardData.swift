extension Conv2D {
    /// inputGradient (=, or += when `accumulate`) ∂L/∂input given ∂L/∂output, weights as in `forward`.
    ///
    /// Input pixel iy receives output pixel (iy + padding − a)/stride through tap a, when that divides.
    /// So the input pixels are split into stride² sub-pixel phases (iy mod stride, ix mod stride); each
    /// phase is a dense implicit GEMM over its own taps (M = phase pixels, N = input channels,
    /// K = phase taps × output channels, B = the weights transposed per tap) and writes every
    /// stride-th pixel. Stride 1 is one phase with all taps: a correlation with the flipped kernel.
    /// Stride-1 layers may take the Winograd path instead, and RGB input layers col2im.
    public func backwardData(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        if usesWinograd {
            return backwardData(outputGradient: outputGradient, winogradWeights: winogradBackwardDataWeights(weights),
                                inputGradient: inputGradient, accumulate: accumulate)
        }
        if usesSmallMap { return backwardDataOnSmallMap(outputGradient: outputGradient, weights: weights, inputGradient: inputGradient, accumulate: accumulate) }
        if inputChannels < Self.fewChannelLimit {
            return backwardDataByCol2im(outputGradient: outputGradient, packedWeights: col2imWeights(weights),
                                        inputGradient: inputGradient, accumulate: accumulate)
        }
        backwardDataByPhases(outputGradient: outputGradient, inputGradient: inputGradient, accumulate: accumulate) {
            phaseWeights(weights, taps: phaseTaps($0, $1))
        }
    }

    /// The phase GEMM's B for `tapList`: per tap, the weights transposed (K = taps × output channels rows,
    /// one column per input channel).
    func phaseWeights(_ weights: UnsafePointer<Float>, taps tapList: [(index: Int, dy: Int, dx: Int)]) -> PackedMatrix {
        let packed = PackedMatrix(rows: tapList.count * outputChannels, columns: inputChannels,
                                  panelWidth: Tile.forColumns(inputChannels).nr)
        for (index, tap) in tapList.enumerated() {
            packed.pack(firstRow: index * outputChannels, count: outputChannels,
                        from: weights + tap.index * inputChannels * outputChannels,
                        rowStride: 1, columnStride: outputChannels)
        }
        return packed
    }

    /// The sub-pixel phases' implicit GEMMs, phase (py, px) with the B `phaseB(py, px)` (by `phaseWeights`).
    func backwardDataByPhases(outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                              accumulate: Bool, phaseB: (Int, Int) -> PackedMatrix) {
        let tile = Tile.forColumns(inputChannels)
        withZeros(outputChannels) { zeros in
            for phaseY in 0..<min(stride, height) {
                for phaseX in 0..<min(stride, width) {
                    let tapList = phaseTaps(phaseY, phaseX)
                    let grid = ((height - phaseY + stride - 1) / stride, (width - phaseX + stride - 1) / stride)
                    if tapList.isEmpty {
                        // No tap reaches this phase: its gradient is zero.
                        if !accumulate { zeroPhase(inputGradient, phaseY, phaseX, grid) }
                        continue
                    }
                    let packed = phaseB(phaseY, phaseX)
                    withTapOffsets(taps: tapList.map { ($0.dy, $0.dx) }) { tapY, tapX in
                        let gather = TapGather(
                            source: outputGradient, sourceHeight: outputHeight, sourceWidth: outputWidth,
                            channels: outputChannels, gridHeight: grid.0, gridWidth: grid.1, stride: 1,
                            tapY: tapY, tapX: tapX, zeros: zeros, destination: inputGradient,
                            destinationHeight: height, destinationWidth: width, destinationChannels: inputChannels,
                            destinationStride: stride, destinationY: phaseY, destinationX: phaseX)
                        runGemm(gather, m: batch * gather.rows, b: packed,
                                layout: KLayout(segments: tapList.count, length: outputChannels), tile: tile,
                                alpha: 1, beta: accumulate ? 1 : 0, bias: nil)
                    }
                }
            }
        }
    }

    /// col2im's B: the weights transposed, outputChannels × (taps · inputChannels).
    func col2imWeights(_ weights: UnsafePointer<Float>) -> PackedMatrix {
        let cout = outputChannels, k = taps * inputChannels
        let packed = PackedMatrix(rows: cout, columns: k, panelWidth: Tile.forColumns(k).nr)
        packed.pack(firstRow: 0, count: cout, from: weights, rowStride: 1, columnStride: cout)
        return packed
    }

    /// For RGB input layers, where the implicit GEMM's N would be 3: per strip of an output row's pixels, one
    /// wide GEMM gives every window's gradient, cols[p][tap·inputChannels + i] = Σ_o dY[p][o]·W[tap][i][o], and
    /// the windows are then added into the input gradient (col2im). The mirror of `runIm2colStrips`.
    ///
    /// Output rows r and r + phases reach disjoint input rows, so the rows of one phase run in parallel, each
    /// thread doing its rows' GEMMs and adds from its own strip (which stays in its cache).
    func backwardDataByCol2im(outputGradient: UnsafePointer<Float>, packedWeights packed: PackedMatrix,
                              inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let cout = outputChannels, k = taps * inputChannels
        let tile = Tile.forColumns(k)
        if !accumulate { Parallel.fillZeros(inputGradient, count: inputCount) }
        let rows = batch * outputHeight, phases = (kernel + stride - 1) / stride
        let stripPixels = min(outputWidth, Self.stripPixels(k: k, tile: tile)), threads = Parallel.threadCount
        ScratchPool.with(threads * stripPixels * k) { strips in
            nonisolated(unsafe) let (strips, inputGradient) = (strips, inputGradient)
            for phase in 0..<min(phases, rows) {
                let phaseRows = (rows - phase + phases - 1) / phases
                Parallel.forEach(threads) { worker in
                    let strip = strips + worker * stripPixels * k
                    for item in share(phaseRows, worker, threads) {
                        let row = phase + item * phases
                        for x0 in Swift.stride(from: 0, to: outputWidth, by: stripPixels) {
                            let columns = x0..<min(outputWidth, x0 + stripPixels)
                            runGemmOnCurrentThread(
                                MatrixRows(a: outputGradient + (row * outputWidth + x0) * cout, rowStride: cout, ks: 1,
                                           c: strip, ldc: k),
                                m: columns.count, b: packed, layout: KLayout(segments: 1, length: cout), tile: tile,
                                alpha: 1, beta: 0, bias: nil)
                            addWindows(strip, outputRow: row, columns: columns, into: inputGradient)
                        }
                    }
                }
            }
        }
    }

    /// col2im for the windows of output pixels `columns` of `outputRow` (numbered over the batch), whose
    /// gradients fill `strip`. A window's kernel row and the input pixels under it are both
    /// `kernel · inputChannels` consecutive floats, so each is one vector add.
    private func addWindows(_ strip: UnsafePointer<Float>, outputRow: Int, columns: Range<Int>,
                            into inputGradient: UnsafeMutablePointer<Float>) {
        let cin = inputChannels, k = taps * cin
        let (n, oy) = outputRow.quotientAndRemainder(dividingBy: outputHeight)
        for a in 0..<kernel {
            let iy = oy * stride + a - padding
            guard iy >= 0 && iy < height else { continue }
            let pixelRow = inputGradient + (n * height + iy) * width * cin
            for ox in columns {
                // Taps b0..<b1 land inside the row, at input columns ox·stride − padding + b.
                let left = ox * stride - padding
                let b0 = max(0, -left), b1 = min(kernel, width - left)
                guard b0 < b1 else { continue }
                let window = strip + (ox - columns.lowerBound) * k + (a * kernel + b0) * cin
                let pixels = pixelRow + (left + b0) * cin, count = (b1 - b0) * cin
                for i in Swift.stride(from: 0, to: count, by: 8) {
                    let lanes = min(8, count - i)
                    (SIMD8<Float>(loading: pixels + i, count: lanes) + SIMD8<Float>(loading: window + i, count: lanes))
                        .store(to: pixels + i, count: lanes)
                }
            }
        }
    }

    /// The taps that reach input phase (py, px), with the output-pixel offset each reads:
    /// output y = phase-grid y + dy.
    func phaseTaps(_ py: Int, _ px: Int) -> [(index: Int, dy: Int, dx: Int)] {
        var list: [(index: Int, dy: Int, dx: Int)] = []
        for a in 0..<kernel where (py + padding - a).isMultiple(of: stride) {
            for b in 0..<kernel where (px + padding - b).isMultiple(of: stride) {
                list.append((a * kernel + b, (py + padding - a) / stride, (px + padding - b) / stride))
            }
        }
        return list
    }

    private func zeroPhase(_ gradient: UnsafeMutablePointer<Float>, _ py: Int, _ px: Int, _ grid: (Int, Int)) {
        for n in 0..<batch {
            for y in 0..<grid.0 {
                for x in 0..<grid.1 {
                    let pixel = (n * height + y * stride + py) * width + x * stride + px
                    (gradient + pixel * inputChannels).update(repeating: 0, count: inputChannels)
                }
            }
        }
    }
}
