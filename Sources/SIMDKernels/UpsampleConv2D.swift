/// StyleGAN2's upsampling 3×3 convolution (`conv2d_resample` with up = 2, as the conv0 layers use it;
/// stylegan2.md §3.5): a stride-2 transposed convolution with the **unflipped** weight, H → 2H+1, then the
/// [1,3,3,1] blur with padding 1 and gain 4, 2H+1 → 2H. NHWC float32.
///
/// Weights are `[3][3][outputChannels][inputChannels]`, the HWIO weights of the stride-2 convolution whose
/// adjoint the transposed conv is: PyTorch's stored `W[o][i][a][b]` goes to
/// `weights[((a·3 + b)·outputChannels + o)·inputChannels + i]`, and the transposed conv computes
/// `t[2p+a, 2q+b, o] += x[p, q, i] · W[o][i][a][b]` (NVlabs passes flip_weight=False to the layer, which
/// `conv2d_resample` turns into an unflipped `conv_transpose2d`).
///
/// No zeros are inserted: t splits by output parity into four sub-pixel phases, each a dense implicit
/// GEMM over the input pixels with its own taps (kernels.md §5.4), so the whole layer costs
/// 9·Cin·Cout multiply-adds per input pixel, like a 3×3 conv at the input resolution.
public struct UpsampleConv2D: Sendable, Equatable {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var inputChannels: Int
    public var outputChannels: Int

    public init(batch: Int, height: Int, width: Int, inputChannels: Int, outputChannels: Int) throws {
        guard batch > 0 && height > 0 && width > 0 && inputChannels > 0 && outputChannels > 0 else {
            throw KernelShapeError("UpsampleConv2D: batch \(batch), \(height)x\(width), channels " +
                                   "\(inputChannels) -> \(outputChannels): sizes must be positive")
        }
        self.batch = batch
        self.height = height
        self.width = width
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
    }

    public var outputHeight: Int { 2 * height }
    public var outputWidth: Int { 2 * width }
    public var inputCount: Int { batch * height * width * inputChannels }
    public var outputCount: Int { batch * outputHeight * outputWidth * outputChannels }
    public var weightCount: Int { 9 * inputChannels * outputChannels }
    /// Multiply-adds of the transposed conv (each backward pass costs the same); the blur is extra.
    public var multiplyAdds: Int { batch * height * width * 9 * inputChannels * outputChannels }

    /// The transposed conv's output before the blur: (2H+1) × (2W+1) × outputChannels.
    var transposedShape: NHWCShape {
        NHWCShape(batch: batch, height: 2 * height + 1, width: 2 * width + 1, channels: outputChannels)
    }

    public func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forward(input: input, phases: Self.phases.map { packForwardPhase(weights, $0.y, $0.x) }, output: output)
    }

    /// `forward` with weights packed by `packedWeights`.
    public func forward(input: UnsafePointer<Float>, packedWeights: PackedWeights, output: UnsafeMutablePointer<Float>) {
        precondition(packedWeights.inputChannels == inputChannels && packedWeights.outputChannels == outputChannels,
                     "UpsampleConv2D weights packed for another layer")
        forward(input: input, phases: packedWeights.forwardPhases, output: output)
    }

    /// Weights packed once, for repeated passes with fixed weights (the projector's).
    public final class PackedWeights: @unchecked Sendable {  // unchecked: read-only after init
        let inputChannels: Int
        let outputChannels: Int
        /// Output phase (y, x) at index 2y + x.
        let forwardPhases: [PackedMatrix]
        let backwardData: PackedMatrix

        init(_ conv: UpsampleConv2D, _ weights: UnsafePointer<Float>) {
            inputChannels = conv.inputChannels
            outputChannels = conv.outputChannels
            forwardPhases = UpsampleConv2D.phases.map { conv.packForwardPhase(weights, $0.y, $0.x) }
            backwardData = conv.packBackwardData(weights)
        }
    }

    /// `weights` (as in `forward`) packed for `forward(input:packedWeights:output:)` and
    /// `backwardData(outputGradient:packedWeights:inputGradient:accumulate:)`.
    public func packedWeights(_ weights: UnsafePointer<Float>) -> PackedWeights { PackedWeights(self, weights) }

    /// The four output phases (parities of the output row and column), in the order of their packed weights.
    static let phases = [(y: 0, x: 0), (y: 0, x: 1), (y: 1, x: 0), (y: 1, x: 1)]

    /// Output row 2P + phase gets tap a from input row P − (a − phase)/2, for a ≡ phase (mod 2).
    func phaseTaps(_ phaseY: Int, _ phaseX: Int) -> [(Int, Int)] {
        let rowsTaps = phaseY == 0 ? [0, 2] : [1], columnTaps = phaseX == 0 ? [0, 2] : [1]
        return rowsTaps.flatMap { a in columnTaps.map { b in (a, b) } }
    }

    /// One output phase's weights: rows (tap, input channel), columns output channels.
    func packForwardPhase(_ weights: UnsafePointer<Float>, _ phaseY: Int, _ phaseX: Int) -> PackedMatrix {
        let taps = phaseTaps(phaseY, phaseX)
        let packed = PackedMatrix(rows: taps.count * inputChannels, columns: outputChannels,
                                  panelWidth: Tile.forColumns(outputChannels).nr)
        for (index, (a, b)) in taps.enumerated() {
            packed.pack(firstRow: index * inputChannels, count: inputChannels,
                        from: weights + (a * 3 + b) * inputChannels * outputChannels,
                        rowStride: 1, columnStride: inputChannels)
        }
        return packed
    }

    /// inputGradient (=, or += when `accumulate`) ∂L/∂input given ∂L/∂output.
    ///
    /// After the blur's adjoint (2H → 2H+1), this is a stride-2 3×3 correlation:
    /// dx[p, q, i] = Σ_{a,b,o} g_t[2p+a, 2q+b, o] · W[o][i][a][b].
    public func backwardData(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        backwardData(outputGradient: outputGradient, packed: packBackwardData(weights), inputGradient: inputGradient,
                     accumulate: accumulate)
    }

    /// `backwardData` with weights packed by `packedWeights`.
    public func backwardData(outputGradient: UnsafePointer<Float>, packedWeights: PackedWeights,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        precondition(packedWeights.inputChannels == inputChannels && packedWeights.outputChannels == outputChannels,
                     "UpsampleConv2D weights packed for another layer")
        backwardData(outputGradient: outputGradient, packed: packedWeights.backwardData, inputGradient: inputGradient,
                     accumulate: accumulate)
    }

    /// weightGradient (=, or += when `accumulate`) ∂L/∂weights given the forward input and ∂L/∂output:
    /// dW[o][i][a][b] = Σ_{p,q} x[p, q, i] · g_t[2p+a, 2q+b, o].
    public func backwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                weightGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        withTransposedGradient(outputGradient) { gt in
            backwardWeights(input: input, transposedGradient: gt, weightGradient: weightGradient, accumulate: accumulate)
        }
    }

    /// Both backward passes, sharing the blur's adjoint.
    public func backward(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>, weightGradient: UnsafeMutablePointer<Float>) {
        withTransposedGradient(outputGradient) { gt in
            backwardWeights(input: input, transposedGradient: gt, weightGradient: weightGradient, accumulate: false)
            let packed = packBackwardData(weights), gtImage = transposedShape.height * transposedShape.width * outputChannels
            for n in 0..<batch {
                backwardDataRows(0..<height, transposedGradient: gt + n * gtImage, packed: packed,
                                 inputGradient: inputGradient + n * height * width * inputChannels, accumulate: false,
                                 banded: false)
            }
        }
    }

    /// The backward-data pass's B: rows (tap, output channel), columns input channels.
    func packBackwardData(_ weights: UnsafePointer<Float>) -> PackedMatrix {
        let packed = PackedMatrix(rows: 9 * outputChannels, columns: inputChannels,
                                  panelWidth: Tile.forColumns(inputChannels).nr)
        packed.pack(firstRow: 0, count: 9 * outputChannels, from: weights, rowStride: inputChannels, columnStride: 1)
        return packed
    }

    /// A `WeightGradientGemm` with the strided g_t window as A (rows = taps × output channels) and the input
    /// as B: its [tap][out][in] result is the weight layout itself.
    private func backwardWeights(input: UnsafePointer<Float>, transposedGradient gt: UnsafePointer<Float>,
                                 weightGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        WeightGradientGemm(source: gt, sourceHeight: transposedShape.height, sourceWidth: transposedShape.width,
                           channels: outputChannels, kernel: 3, stride: 2, padding: 0, batch: batch,
                           gridHeight: height, gridWidth: width, gradient: input, columns: inputChannels)
            .run(into: weightGradient, accumulate: accumulate)
    }

    /// Runs `body` with g_t = ∂L/∂t, the blur's adjoint applied to ∂L/∂output, in a scratch buffer.
    private func withTransposedGradient(_ outputGradient: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> Void) {
        ScratchPool.with(transposedShape.count) { gt in
            try! Upfirdn2D.transposedConvBlur.backward(gradOutput: outputGradient, inputShape: transposedShape,
                                                       gradInput: gt)
            body(gt)
        }
    }
}
