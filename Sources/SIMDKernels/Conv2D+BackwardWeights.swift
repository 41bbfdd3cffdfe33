extension Conv2D {
    /// weightGradient (=, or += when `accumulate`) ∂L/∂weights, and optionally biasGradient, given the
    /// forward input and ∂L/∂output. Layouts as in `forward`.
    ///
    /// Layers that take Winograd in `forward` take it here too when they have enough channels
    /// (`usesWinogradForWeightGradient`, `Conv2D+WinogradWeightGradient.swift`); the others run a GEMM with
    /// M = taps × input channels,
    /// N = output channels and K = output pixels: dW[tap][i][o] = Σ_p X[window(p, tap)][i] · dY[p][o]
    /// (`WeightGradientGemm`).
    public func backwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                weightGradient: UnsafeMutablePointer<Float>,
                                biasGradient: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        if usesWinogradForWeightGradient {
            winogradBackwardWeights(input: input, outputGradient: outputGradient, weightGradient: weightGradient,
                                    accumulate: accumulate)
        } else {
            WeightGradientGemm(source: input, sourceHeight: height, sourceWidth: width, channels: inputChannels,
                               kernel: kernel, stride: stride, padding: padding, batch: batch,
                               gridHeight: outputHeight, gridWidth: outputWidth, gradient: outputGradient,
                               columns: outputChannels)
                .run(into: weightGradient, accumulate: accumulate)
        }
        if let biasGradient {
            sumPixels(outputGradient, pixels: batch * outputHeight * outputWidth, channels: outputChannels,
                      into: biasGradient, accumulate: accumulate)
        }
    }
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
