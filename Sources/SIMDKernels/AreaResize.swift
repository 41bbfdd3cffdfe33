/// PyTorch `F.interpolate(x, size, mode: 'area')`, i.e. `adaptive_avg_pool2d`, on NHWC tensors.
///
/// Output pixel (i, j) is the mean of input rows `⌊i·H/h⌋ ..< ⌈(i+1)·H/h⌉` and columns likewise; at an
/// integer ratio (1024 → 256) that is the plain 4×4 block mean. Computed separably (rows, then columns),
/// which differs from PyTorch's single sum-then-divide by float rounding only.
public struct AreaResize: Sendable {
    public var outputHeight: Int
    public var outputWidth: Int

    public init(outputHeight: Int, outputWidth: Int) {
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    public func outputShape(for input: NHWCShape) throws -> NHWCShape {
        guard input.isValid, outputHeight >= 1, outputWidth >= 1 else {
            throw KernelShapeError("area resize: cannot resize \(input) to \(outputHeight)×\(outputWidth)")
        }
        return NHWCShape(batch: input.batch, height: outputHeight, width: outputWidth, channels: input.channels)
    }

    public func forward(_ input: UnsafePointer<Float>, shape: NHWCShape, output: UnsafeMutablePointer<Float>) throws {
        _ = try outputShape(for: shape)
        let (rows, columns) = axisOperators(for: shape)
        ResamplingMatrix.applySeparable(rows: rows, columns: columns, input, shape: shape, output)
    }

    /// `gradInput` (shape `inputShape`) from `gradOutput` (shape `outputShape(for: inputShape)`); overwrites.
    public func backward(gradOutput: UnsafePointer<Float>, inputShape: NHWCShape,
                         gradInput: UnsafeMutablePointer<Float>) throws {
        let outputShape = try outputShape(for: inputShape)
        let (rows, columns) = axisOperators(for: inputShape)
        ResamplingMatrix.applySeparable(rows: rows.transposed(), columns: columns.transposed(),
                                        gradOutput, shape: outputShape, gradInput)
    }

    private func axisOperators(for input: NHWCShape) -> (rows: ResamplingMatrix, columns: ResamplingMatrix) {
        (ResamplingMatrix.area(inputCount: input.height, outputCount: outputHeight),
         ResamplingMatrix.area(inputCount: input.width, outputCount: outputWidth))
    }
}
