extension Conv2D {
    /// weightGradient (=, or += when `accumulate`) ∂L/∂weights, and optionally biasGradient, given the
    /// forward input and ∂L/∂output. Layouts as in `forward`.
    ///
    /// Per tap this is a GEMM with M = input channels, N = output channels and K = output pixels:
    /// dW[tap][i][o] = Σ_p X[window(p, tap)][i] · dY[p][o]. The input is copied once into a zero-padded
    /// buffer so every window is in range, dY is packed as B, and the input is read in place as A
    /// (`ChannelRows`: a row is one channel, k steps from pixel to pixel).
    public func backwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                weightGradient: UnsafeMutablePointer<Float>,
                                biasGradient: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        let tile = Tile.forColumns(outputChannels)
        let pixels = batch * outputHeight * outputWidth
        let packed = PackedMatrix(rows: pixels, columns: outputChannels, panelWidth: tile.nr)
        packed.pack(firstRow: 0, count: pixels, from: outputGradient, rowStride: outputChannels, columnStride: 1)
        // Rows and columns the windows reach: (outputHeight − 1)·stride + kernel, which may crop the bottom.
        let paddedHeight = (outputHeight - 1) * stride + kernel, paddedWidth = (outputWidth - 1) * stride + kernel
        let padded = padInput(input, paddedHeight, paddedWidth)
        defer { padded.deallocate() }
        runWeightGradient(source: padded, sourceHeight: paddedHeight, sourceWidth: paddedWidth,
                          channels: inputChannels, gridHeight: outputHeight, gridWidth: outputWidth,
                          batch: batch, stride: stride, kernel: kernel, gradient: packed, tile: tile,
                          destination: weightGradient, accumulate: accumulate)
        if let biasGradient {
            sumPixels(outputGradient, pixels: pixels, channels: outputChannels, into: biasGradient,
                      accumulate: accumulate)
        }
    }

    /// The input with `padding` zero rows/columns on the top/left, cropped or zero-filled to the given size.
    private func padInput(_ input: UnsafePointer<Float>, _ paddedHeight: Int, _ paddedWidth: Int)
        -> UnsafeMutablePointer<Float> {
        let c = inputChannels
        let out = UnsafeMutablePointer<Float>.allocate(capacity: batch * paddedHeight * paddedWidth * c)
        out.initialize(repeating: 0, count: batch * paddedHeight * paddedWidth * c)
        let columns = max(0, min(width, paddedWidth - padding))
        for n in 0..<batch {
            for y in 0..<max(0, min(height, paddedHeight - padding)) {
                (out + ((n * paddedHeight + y + padding) * paddedWidth + padding) * c)
                    .update(from: input + ((n * height + y) * width) * c, count: columns * c)
            }
        }
        return out
    }
}

/// destination[tap][c][g] (=, or +=) Σ over grid pixels p of source[window(p, tap)][c] · G[p][g], for every
/// tap (a, b) of a kernel×kernel window: window(p = (n, y, x), (a, b)) = (n, y·stride + a, x·stride + b).
/// G is the packed `batch·gridHeight·gridWidth × g` matrix; the source must cover every window.
/// One GEMM with M = taps × channels, so neighbouring taps reuse the same pixels from cache.
func runWeightGradient(source: UnsafePointer<Float>, sourceHeight: Int, sourceWidth: Int, channels: Int,
                       gridHeight: Int, gridWidth: Int, batch: Int, stride: Int, kernel: Int,
                       gradient: PackedMatrix, tile: Tile, destination: UnsafeMutablePointer<Float>,
                       accumulate: Bool) {
    let rows = ChannelRows(source: source, sourceHeight: sourceHeight, sourceWidth: sourceWidth,
                           channels: channels, kernel: kernel, gridHeight: gridHeight, stride: stride,
                           destination: destination, destinationRowStride: gradient.columns)
    runGemm(rows, m: rows.rows, b: gradient, layout: KLayout(segments: batch * gridHeight, length: gridWidth),
            tile: tile, alpha: 1, beta: accumulate ? 1 : 0, bias: nil)
}

/// out[c] (=, or +=) Σ over `pixels` rows of data[p][c]: the bias gradient. Sums in Double, since a
/// 1024² map has a million terms.
func sumPixels(_ data: UnsafePointer<Float>, pixels: Int, channels: Int, into out: UnsafeMutablePointer<Float>,
               accumulate: Bool) {
    var sums = [Double](repeating: 0, count: channels)
    sums.withUnsafeMutableBufferPointer { sums in
        for p in 0..<pixels {
            let row = data + p * channels
            for c in 0..<channels { sums[c] += Double(row[c]) }
        }
        for c in 0..<channels { out[c] = Float(sums[c] + (accumulate ? Double(out[c]) : 0)) }
    }
}
