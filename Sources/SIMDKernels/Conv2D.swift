/// A 2-D convolution (PyTorch `conv2d`: cross-correlation, zero padding, floor output size) on NHWC
/// float32 tensors.
///
/// Layouts:
/// - input  `[batch][height][width][inputChannels]`, dense (no halo: borders are handled inside);
/// - weights `[kernel][kernel][inputChannels][outputChannels]` (HWIO). PyTorch's OIHW `w[o][i][a][b]`
///   goes to `weights[((a·kernel + b)·inputChannels + i)·outputChannels + o]`;
/// - output `[batch][outputHeight][outputWidth][outputChannels]`.
///
/// Stride-1 layers (kernel ≥ 3, channels in whole vectors) take the Winograd path (`Conv2D+Winograd.swift`),
/// those with very few output pixels a transposed GEMM (`Conv2D+SmallMaps.swift`).
/// Otherwise each pass is an implicit GEMM on the shared micro-kernel: M = output pixels, N = output channels,
/// K = taps × input channels, with the taps accumulated in registers (`TapGather`). Layers with very few
/// input channels (RGB input layers) take whole kernel rows as taps, from a copy of the input with a zero halo.
public struct Conv2D: Sendable, Equatable {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    /// How `forward` and `backwardData` compute; `backwardWeights` takes Winograd with them where
    /// `usesWinogradForWeightGradient`, else its GEMM.
    public var algorithm: ConvolutionAlgorithm = .automatic

    public init(batch: Int, height: Int, width: Int, inputChannels: Int, outputChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int) throws {
        guard batch > 0 && height > 0 && width > 0 && inputChannels > 0 && outputChannels > 0
              && kernel > 0 && stride > 0 && padding >= 0 else {
            throw KernelShapeError("Conv2D: batch \(batch), \(height)x\(width), channels \(inputChannels) -> " +
                                   "\(outputChannels), kernel \(kernel), stride \(stride), padding \(padding): " +
                                   "sizes must be positive and padding non-negative")
        }
        self.batch = batch
        self.height = height
        self.width = width
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        guard outputHeight > 0 && outputWidth > 0 else {
            throw KernelShapeError("Conv2D: kernel \(kernel) is larger than the padded \(height)x\(width) input")
        }
    }

    public var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    public var inputCount: Int { batch * height * width * inputChannels }
    public var outputCount: Int { batch * outputHeight * outputWidth * outputChannels }
    public var weightCount: Int { kernel * kernel * inputChannels * outputChannels }
    /// Multiply-adds of one forward pass (each backward pass costs the same).
    public var multiplyAdds: Int { batch * outputHeight * outputWidth * outputChannels * kernel * kernel * inputChannels }

    var taps: Int { kernel * kernel }

    /// Below this many input channels, K per tap is too short for the tap-accumulating kernel: the forward
    /// takes kernel rows as taps, the backward-data col2im.
    static let fewChannelLimit = 8

    /// output = conv(input, weights) (+ bias[outputChannels]).
    public func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        if usesWinograd {
            return forward(input: input, winogradWeights: winogradWeights(weights), bias: bias, output: output)
        }
        if usesSmallMap { return forwardOnSmallMap(input: input, weights: weights, bias: bias, output: output) }
        forward(input: input, packedWeights: forwardWeights(weights), bias: bias, output: output)
    }

    /// The implicit GEMM's B: the HWIO weights as a K × outputChannels matrix.
    func forwardWeights(_ weights: UnsafePointer<Float>) -> PackedMatrix {
        let k = taps * inputChannels
        let packed = PackedMatrix(rows: k, columns: outputChannels, panelWidth: Tile.forColumns(outputChannels).nr)
        packed.pack(firstRow: 0, count: k, from: weights, rowStride: outputChannels, columnStride: 1)
        return packed
    }

    /// The implicit GEMM forward with its B packed by `forwardWeights`.
    func forward(input: UnsafePointer<Float>, packedWeights packed: PackedMatrix, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>) {
        let tile = Tile.forColumns(outputChannels)
        if inputChannels < Self.fewChannelLimit {
            return forwardOnPaddedRows(input: input, b: packed, tile: tile, bias: bias, output: output)
        }
        withForwardGather(input: input, output: output) { gather in
            runGemm(gather, m: gather.rows * batch, b: packed, layout: KLayout(segments: taps, length: inputChannels),
                    tile: tile, alpha: 1, beta: 0, bias: bias)
        }
    }

    /// The forward window: output pixel (y, x), tap (a, b) reads input (y·stride + a − padding, x·stride + b − padding).
    func withForwardGather<R>(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              _ body: (TapGather) -> R) -> R {
        withTapOffsets(taps: (0..<taps).map { ($0 / kernel - padding, $0 % kernel - padding) }) { tapY, tapX in
            withZeros(inputChannels) { zeros in
                body(TapGather(source: input, sourceHeight: height, sourceWidth: width, channels: inputChannels,
                               gridHeight: outputHeight, gridWidth: outputWidth, stride: stride,
                               tapY: tapY, tapX: tapX, zeros: zeros, destination: output,
                               destinationHeight: outputHeight, destinationWidth: outputWidth,
                               destinationChannels: outputChannels))
            }
        }
    }

    /// Output pixels per col2im strip of `k` floats each: about 256 KiB, at least 16 row tiles.
    static func stripPixels(k: Int, tile: Tile) -> Int { max(tile.mr * 16, (1 << 16) / k) }

    /// Few input channels (RGB input layers), where a tap's K run would be 3 floats: once each input row
    /// carries `padding` zero pixels on either side, one kernel row of a window is `kernel · inputChannels`
    /// consecutive floats. So the input is copied with that halo and the implicit GEMM takes one segment
    /// per kernel row (K = kernel × kernel·inputChannels, HWIO order), with no im2col.
    private func forwardOnPaddedRows(input: UnsafePointer<Float>, b: PackedMatrix, tile: Tile,
                                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let cin = inputChannels, paddedWidth = width + 2 * padding, rows = batch * height
        let halo = padding * cin, rowLength = paddedWidth * cin, segment = kernel * cin
        ScratchPool.with(rows * rowLength) { padded in
            nonisolated(unsafe) let padded = padded
            Parallel.forEachRange(rows, grain: max(1, (1 << 16) / rowLength)) { range in
                for r in range {
                    let row = padded + r * rowLength
                    row.update(repeating: 0, count: halo)
                    (row + halo).update(from: input + r * width * cin, count: width * cin)
                    (row + rowLength - halo).update(repeating: 0, count: halo)
                }
            }
            // Kernel row a of output row y reads padded row y·stride + a − padding, from column x·stride.
            withTapOffsets(taps: (0..<kernel).map { ($0 - padding, 0) }) { tapY, tapX in
                withZeros(segment) { zeros in
                    let gather = TapGather(source: padded, sourceHeight: height, sourceWidth: paddedWidth, channels: cin,
                                           gridHeight: outputHeight, gridWidth: outputWidth, stride: stride,
                                           tapY: tapY, tapX: tapX, zeros: zeros, destination: output,
                                           destinationHeight: outputHeight, destinationWidth: outputWidth,
                                           destinationChannels: outputChannels)
                    runGemm(gather, m: batch * gather.rows, b: b, layout: KLayout(segments: kernel, length: segment),
                            tile: tile, alpha: 1, beta: 0, bias: bias)
                }
            }
        }
    }
}

/// The ways `Conv2D` can compute a pass.
public enum ConvolutionAlgorithm: Sendable, Equatable {
    /// Winograd where it pays (`Conv2D.usesWinograd`), else implicit GEMM.
    case automatic
    /// The direct implicit GEMM on the micro-kernel.
    case implicitGemm
    /// Winograd F(4×4, 3×3) wherever the shape allows it (stride 1, kernel ≥ 3, padding < kernel, channels in
    /// whole vectors).
    case winograd
    /// The implicit GEMM transposed, channels as rows, for maps of few pixels (`Conv2D+SmallMaps.swift`);
    /// stride-1 layers only (others take `implicitGemm`).
    case smallMap
}

/// Runs `body` with the (non-empty) tap offsets as two Int arrays (y offsets, x offsets).
func withTapOffsets<R>(taps: [(Int, Int)], _ body: (UnsafePointer<Int>, UnsafePointer<Int>) -> R) -> R {
    precondition(!taps.isEmpty, "a convolution pass needs at least one tap")
    let ys = taps.map(\.0), xs = taps.map(\.1)
    return ys.withUnsafeBufferPointer { y in xs.withUnsafeBufferPointer { x in body(y.baseAddress!, x.baseAddress!) } }
}

/// Runs `body` with a buffer of at least `count` zeros.
func withZeros<R>(_ count: Int, _ body: (UnsafePointer<Float>) -> R) -> R {
    let zeros = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
    zeros.initialize(repeating: 0, count: max(1, count))
    defer { zeros.deallocate() }
    return body(zeros)
}
