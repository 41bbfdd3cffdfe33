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
        if inputChannels < Self.im2colChannelLimit {
            return backwardDataByCol2im(outputGradient: outputGradient, weights: weights,
                                        inputGradient: inputGradient, accumulate: accumulate)
        }
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
                    let packed = PackedMatrix(rows: tapList.count * outputChannels, columns: inputChannels,
                                              panelWidth: tile.nr)
                    for (index, tap) in tapList.enumerated() {
                        packed.pack(firstRow: index * outputChannels, count: outputChannels,
                                    from: weights + tap.index * inputChannels * outputChannels,
                                    rowStride: 1, columnStride: outputChannels)
                    }
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

    /// For RGB input layers, where the implicit GEMM's N would be 3: per strip of output pixels, one wide
    /// GEMM gives every window's gradient, cols[p][tap·inputChannels + i] = Σ_o dY[p][o]·W[tap][i][o], and
    /// the windows are then added into the input gradient (col2im). The mirror of `runIm2colStrips`.
    private func backwardDataByCol2im(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                      inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let cin = inputChannels, cout = outputChannels, k = taps * cin
        let tile = Tile.forColumns(k)
        let packed = PackedMatrix(rows: cout, columns: k, panelWidth: tile.nr)
        packed.pack(firstRow: 0, count: cout, from: weights, rowStride: 1, columnStride: cout)
        if !accumulate { inputGradient.update(repeating: 0, count: inputCount) }
        let pixels = batch * outputHeight * outputWidth
        let stripPixels = Self.stripPixels(k: k, tile: tile)
        ScratchPool.with(stripPixels * k) { strip in
            for start in Swift.stride(from: 0, to: pixels, by: stripPixels) {
                let count = min(stripPixels, pixels - start)
                runGemm(MatrixRows(a: outputGradient + start * cout, rowStride: cout, ks: 1, c: strip, ldc: k), m: count,
                        b: packed, layout: KLayout(segments: 1, length: cout), tile: tile, alpha: 1, beta: 0, bias: nil)
                for r in 0..<count {
                    let p = start + r, n = p / (outputHeight * outputWidth)
                    let oy = p / outputWidth % outputHeight, ox = p % outputWidth
                    for a in 0..<kernel {
                        let iy = oy * stride + a - padding
                        guard iy >= 0 && iy < height else { continue }
                        for b in 0..<kernel {
                            let ix = ox * stride + b - padding
                            guard ix >= 0 && ix < width else { continue }
                            let window = strip + r * k + (a * kernel + b) * cin
                            let pixel = inputGradient + ((n * height + iy) * width + ix) * cin
                            for i in 0..<cin { pixel[i] += window[i] }
                        }
                    }
                }
            }
        }
    }

    /// The taps that reach input phase (py, px), with the output-pixel offset each reads:
    /// output y = phase-grid y + dy.
    private func phaseTaps(_ py: Int, _ px: Int) -> [(index: Int, dy: Int, dx: Int)] {
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
