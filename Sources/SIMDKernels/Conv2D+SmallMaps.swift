/// Convolutions on maps of few pixels (StyleGAN2's 4×4 layers): the implicit GEMM computed transposed.
///
/// With 16 output pixels the usual GEMM (M = pixels, `forward`) packs the whole weight matrix as B on every
/// call (2.4 MB at 256 channels, for 16 rows of work) and has three row tiles to share between threads.
/// Transposed, the GEMM's rows are channels: A is the weights read in place (no packing), B is the
/// pixels' windows packed as K × pixels (37 K floats at 4×4), and C comes out as [channel][pixel], which is
/// transposed into the NHWC result at the end. The rows split well over threads.
extension Conv2D {
    /// Output pixels (all images) up to which `.automatic` takes this path (stride-1 layers only: the
    /// backward-data pass reads ∂y at the input's own grid).
    static let smallMapMaximumPixels = 32

    var usesSmallMap: Bool {
        switch algorithm {
        case .smallMap: return stride == 1
        case .automatic: return stride == 1 && !usesWinograd && batch * outputHeight * outputWidth <= Self.smallMapMaximumPixels
        case .implicitGemm, .winograd: return false
        }
    }

    /// `forward` transposed: outputᵀ[o][p] = Σ_{tap, i} W[tap][i][o] · window(p, tap)[i], A row o at
    /// weights + o stepping outputChannels per k.
    func forwardOnSmallMap(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           output: UnsafeMutablePointer<Float>) {
        withForwardGather(input: input, output: output) { gather in
            runTransposed(gather, weights: weights, rowStride: 1, ks: outputChannels, segmentStride: 0,
                          rows: outputChannels, layout: KLayout(segments: 1, length: taps * inputChannels),
                          output: output, bias: bias, accumulate: false)
        }
    }

    /// `backwardData` transposed (stride 1): inputGradientᵀ[i][p] = Σ_{tap, o} W[tap][i][o] · ∂y[p + padding −
    /// tap][o], A row i of tap t at weights + (t·inputChannels + i)·outputChannels stepping one float per k.
    func backwardDataOnSmallMap(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let offsets = (0..<taps).map { (padding - $0 / kernel, padding - $0 % kernel) }
        withTapOffsets(taps: offsets) { tapY, tapX in
            withZeros(outputChannels) { zeros in
                let gather = TapGather(source: outputGradient, sourceHeight: outputHeight, sourceWidth: outputWidth,
                                       channels: outputChannels, gridHeight: height, gridWidth: width, stride: 1,
                                       tapY: tapY, tapX: tapX, zeros: zeros, destination: inputGradient,
                                       destinationHeight: height, destinationWidth: width,
                                       destinationChannels: inputChannels)
                runTransposed(gather, weights: weights, rowStride: outputChannels, ks: 1,
                              segmentStride: inputChannels * outputChannels, rows: inputChannels,
                              layout: KLayout(segments: taps, length: outputChannels),
                              output: inputGradient, bias: nil, accumulate: accumulate)
            }
        }
    }

    /// output[p][r] (=, or += when `accumulate`) Σ_k A[r][k] · windows[k][p] (+ bias[r]) for the gather's
    /// pixels p, A read in place from `weights` as `MatrixRows`. K is the gather's taps × channels, tap after tap, in
    /// `layout`'s segments (one per tap, or one for all when A runs straight through the taps).
    private func runTransposed(_ gather: TapGather, weights: UnsafePointer<Float>, rowStride: Int, ks: Int,
                               segmentStride: Int, rows: Int, layout: KLayout,
                               output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, accumulate: Bool) {
        let pixels = batch * gather.rows
        let tile = Tile.forColumns(pixels)
        let windows = PackedMatrix(rows: layout.segments * layout.length, columns: pixels, panelWidth: tile.nr)
        packWindows(gather, pixels: pixels, into: windows)
        ScratchPool.with(rows * pixels) { transposed in
            let a = MatrixRows(a: weights, rowStride: rowStride, ks: ks, segmentStride: segmentStride,
                               c: transposed, ldc: pixels)
            runGemm(a, m: rows, b: windows, layout: layout, tile: tile, alpha: 1, beta: 0, bias: nil,
                    blocking: ks > 1 ? .kMajorRows : .standard)
            addTransposed(transposed, rows: rows, pixels: pixels, bias: bias, accumulate: accumulate, into: output)
        }
    }

    /// output[p][r] (=, or += when `accumulate`) transposed[r][p] + bias[r], 8 rows × 8 pixels at a time
    /// through a register transpose (element by element on the ragged edges).
    private func addTransposed(_ transposed: UnsafePointer<Float>, rows: Int, pixels: Int, bias: UnsafePointer<Float>?,
                               accumulate: Bool, into output: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { block in
            let block = block.baseAddress!
            block.initialize(repeating: 0, count: 64)
            for r in Swift.stride(from: 0, to: rows, by: 8) {
                let lanes = min(8, rows - r)
                let b = bias.map { SIMD8<Float>(loading: $0 + r, count: lanes) } ?? SIMD8()
                for p in Swift.stride(from: 0, to: pixels, by: 8) {
                    let count = min(8, pixels - p)
                    if lanes == 8 && count == 8 {
                        transpose8x8(transposed + r * pixels + p, pixels, into: block, 8)
                    } else {
                        for i in 0..<count {
                            for j in 0..<lanes { block[i * 8 + j] = transposed[(r + j) * pixels + p + i] }
                        }
                    }
                    for i in 0..<count {
                        let pixel = output + (p + i) * rows + r
                        let value = SIMD8<Float>(loading: block + i * 8, count: 8) + b
                        (accumulate ? SIMD8<Float>(loading: pixel, count: lanes) + value : value).store(to: pixel, count: lanes)
                    }
                }
            }
        }
    }

    /// windows[s·channels + c][p] = the gather's tap s row of pixel p, channel c. Work items are a tap for a
    /// group of up to 16 pixels inside one panel: 8 pixels × 8 channels at a time through a register
    /// transpose, the ragged edges element by element.
    private func packWindows(_ gather: TapGather, pixels: Int, into windows: PackedMatrix) {
        let length = gather.channels, taps = windows.rows / length, nr = windows.panelWidth
        let group = min(16, nr), groups = (pixels + group - 1) / group
        let items = groups * taps, parts = windows.rows * pixels >= 1 << 14 ? min(items, Parallel.threadCount) : 1
        Parallel.forEach(parts) { w in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: group) { sources in
                for item in share(items, w, parts) {
                    let (g, tap) = item.quotientAndRemainder(dividingBy: taps)
                    let first = g * group, count = min(group, pixels - first)
                    gather.fillRows(sources.baseAddress!, mr: group, first: first, count: count, segments: tap..<(tap + 1))
                    let rows = windows.storage + ((first / nr) * windows.rows + tap * length) * nr + first % nr
                    let fullPixels = count - count % 8, fullChannels = length - length % 8
                    for q in Swift.stride(from: 0, to: fullPixels, by: 8) {
                        for c in Swift.stride(from: 0, to: fullChannels, by: 8) {
                            transpose8x8(rows: { sources[q + $0] + c }, into: rows + c * nr + q, nr)
                        }
                    }
                    for c in 0..<length {
                        for q in (c < fullChannels ? fullPixels : 0)..<count { rows[c * nr + q] = sources[q][c] }
                    }
                }
            }
        }
    }
}
