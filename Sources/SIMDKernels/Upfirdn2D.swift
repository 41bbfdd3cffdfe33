/// NVlabs `upfirdn2d` (stylegan2.md §3.4) on NHWC tensors, with a separable filter.
///
/// Per axis: zero-insert `up − 1` zeros after each sample, pad (negative values crop), true convolution
/// with the 1-D `filter` (correlation when `flipFilter`), keep every `down`-th sample. The 2-D kernel is
/// `filter ⊗ filter` times `gain` (√gain per axis, as NVlabs does for a 1-D filter). Output size per axis:
/// `(n·up + pad0 + pad1 − taps) / down + 1`.
///
/// `backward` is the exact adjoint (NVlabs computes it as upfirdn2d with up/down swapped, the filter
/// flipped and the padding of §3.4; this code transposes the same sparse operator, which is identical).
public struct Upfirdn2D: Sendable {
    public var filter: [Float]
    public var up: Int
    public var down: Int
    public var padX0: Int, padX1: Int, padY0: Int, padY1: Int
    public var gain: Float
    public var flipFilter: Bool

    public init(filter: [Float], up: Int = 1, down: Int = 1,
                padX0: Int = 0, padX1: Int = 0, padY0: Int = 0, padY1: Int = 0,
                gain: Float = 1, flipFilter: Bool = false) {
        self.filter = filter
        self.up = up
        self.down = down
        self.padX0 = padX0
        self.padX1 = padX1
        self.padY0 = padY0
        self.padY1 = padY1
        self.gain = gain
        self.flipFilter = flipFilter
    }

    /// `setup_filter([1,3,3,1])` as a separable 1-D filter: `[1,3,3,1]/8` per axis (the 4×4 kernel / 64).
    public static let resampleFilter: [Float] = [1, 3, 3, 1].map { $0 / 8 }

    /// NVlabs `upsample2d(x, f, up=2)`: pad `[2,1,2,1]`, gain 4, H×W → 2H×2W (the skip-path RGB upsampling).
    public static let upsample2d = Upfirdn2D(filter: resampleFilter, up: 2, padX0: 2, padX1: 1, padY0: 2, padY1: 1,
                                             gain: 4)

    /// The blur after StyleGAN2's stride-2 transposed conv: pad 1 all round, gain 4, (2H+1) → 2H.
    public static let transposedConvBlur = Upfirdn2D(filter: resampleFilter, padX0: 1, padX1: 1, padY0: 1, padY1: 1,
                                                     gain: 4)

    public func outputShape(for input: NHWCShape) throws -> NHWCShape {
        try axisOperators(for: input).output
    }

    public func forward(_ input: UnsafePointer<Float>, shape: NHWCShape, output: UnsafeMutablePointer<Float>) throws {
        let ops = try axisOperators(for: shape)
        ResamplingMatrix.applySeparable(rows: ops.rows, columns: ops.columns, input, shape: shape, output)
    }

    /// `gradInput` (shape `inputShape`) = adjoint applied to `gradOutput` (shape `outputShape(for: inputShape)`).
    public func backward(gradOutput: UnsafePointer<Float>, inputShape: NHWCShape,
                         gradInput: UnsafeMutablePointer<Float>) throws {
        let ops = try axisOperators(for: inputShape)
        ResamplingMatrix.applySeparable(rows: ops.rows.transposed(), columns: ops.columns.transposed(),
                                        gradOutput, shape: ops.output, gradInput)
    }

    /// The operator pair (rows along H, columns along W) and the output shape, for callers that apply them
    /// a band of rows at a time (`UpsampleConv2D`).
    func axisOperators(for input: NHWCShape) throws
        -> (rows: ResamplingMatrix, columns: ResamplingMatrix, output: NHWCShape) {
        guard input.isValid else { throw KernelShapeError("upfirdn2d: invalid input shape \(input)") }
        guard up >= 1, down >= 1, !filter.isEmpty else {
            throw KernelShapeError("upfirdn2d: up \(up) and down \(down) must be ≥ 1 and the filter non-empty")
        }
        let axisGain = Float(Double(gain).squareRoot())
        guard let rows = ResamplingMatrix.upfirdn(inputCount: input.height, taps: filter, up: up, down: down,
                                                  pad0: padY0, pad1: padY1, flipFilter: flipFilter, gain: axisGain),
              let columns = ResamplingMatrix.upfirdn(inputCount: input.width, taps: filter, up: up, down: down,
                                                     pad0: padX0, pad1: padX1, flipFilter: flipFilter, gain: axisGain)
        else {
            throw KernelShapeError("upfirdn2d: input \(input) with up \(up), padding x \(padX0),\(padX1) " +
                                   "y \(padY0),\(padY1) and \(filter.count) taps leaves no output")
        }
        let output = NHWCShape(batch: input.batch, height: rows.outputCount, width: columns.outputCount,
                               channels: input.channels)
        return (rows, columns, output)
    }
}
