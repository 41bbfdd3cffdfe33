/// torchvision `MaxPool2d(window, stride)`: no padding, floor mode (VGG16 2×2/2, AlexNet 3×3/2), NHWC.
///
/// Backward sends each output gradient to its window's arg-max, PyTorch's rule: the first maximum in
/// row-major window order (a later equal value does not replace it), except that a NaN always does.
/// Backward recomputes the arg-max from the forward input, so nothing but that input must be kept.
public struct MaxPool2D: Sendable {
    public var window: Int
    public var stride: Int

    public init(window: Int, stride: Int) {
        self.window = window
        self.stride = stride
    }

    public static let vgg16 = MaxPool2D(window: 2, stride: 2)
    public static let alexNet = MaxPool2D(window: 3, stride: 2)

    public func outputShape(for input: NHWCShape) throws -> NHWCShape {
        guard input.isValid, window >= 1, stride >= 1, input.height >= window, input.width >= window else {
            throw KernelShapeError("max pool \(window)×\(window)/\(stride): input \(input) is smaller than the window")
        }
        return NHWCShape(batch: input.batch, height: (input.height - window) / stride + 1,
                         width: (input.width - window) / stride + 1, channels: input.channels)
    }

    public func forward(_ input: UnsafePointer<Float>, shape: NHWCShape, output: UnsafeMutablePointer<Float>) throws {
        let out = try outputShape(for: shape)
        Parallel.forEach(out.batch * out.height) { row in
            forEachWindow(input, shape: shape, outputShape: out, outputRow: row) { o, c, lanes, best, _ in
                best.store(to: output + o * out.channels + c, count: lanes)
            }
        }
    }

    /// `gradInput` (=, or += when `accumulate`; shape of `input`) from `gradOutput` (shape `outputShape(for:)`).
    public func backward(input: UnsafePointer<Float>, shape: NHWCShape, gradOutput: UnsafePointer<Float>,
                         gradInput: UnsafeMutablePointer<Float>, accumulate: Bool = false) throws {
        let out = try outputShape(for: shape)
        // When the windows tile the input exactly (VGG16's 2×2/2 on even maps), every input pixel is in one
        // window and just gets its share: no zero fill, and adds only when accumulating.
        if window == stride && out.height * stride == shape.height && out.width * stride == shape.width {
            Parallel.forEach(out.batch * out.height) { row in
                route(input, shape: shape, outputShape: out, gradOutput: gradOutput, gradInput: gradInput,
                      outputRow: row, accumulate: accumulate)
            }
            return
        }
        if !accumulate { Parallel.fillZeros(gradInput, count: shape.count) }
        // Windows of output rows r and r + phases never share input rows, so each phase runs in parallel.
        let phases = (window + stride - 1) / stride
        let rowsPerPhase = (out.height + phases - 1) / phases
        for phase in 0..<phases {
            Parallel.forEach(out.batch * rowsPerPhase) { item in
                let (n, k) = item.quotientAndRemainder(dividingBy: rowsPerPhase)
                let oy = k * phases + phase
                guard oy < out.height else { return }
                route(input, shape: shape, outputShape: out, gradOutput: gradOutput, gradInput: gradInput,
                      outputRow: n * out.height + oy, accumulate: true)
            }
        }
    }

    /// Sends one output row's gradients to their windows' arg-maxes, eight channels at a time: every pixel of
    /// a window gets the gradient where it is the arg-max and 0 elsewhere, stored, or added when windows overlap.
    private func route(_ input: UnsafePointer<Float>, shape: NHWCShape, outputShape out: NHWCShape,
                       gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>, outputRow: Int,
                       accumulate: Bool) {
        let (n, oy) = outputRow.quotientAndRemainder(dividingBy: out.height)
        forEachWindow(input, shape: shape, outputShape: out, outputRow: outputRow) { o, c, lanes, _, arg in
            let g = SIMD8<Float>(loading: gradOutput + o * out.channels + c, count: lanes)
            let ox = o % out.width
            for ky in 0..<window {
                for kx in 0..<window {
                    let pixel = (n * shape.height + oy * stride + ky) * shape.width + ox * stride + kx
                    let share = SIMD8<Float>().replacing(with: g, where: arg .== Float(ky * window + kx))
                    let destination = gradInput + pixel * shape.channels + c
                    (accumulate ? SIMD8<Float>(loading: destination, count: lanes) + share : share)
                        .store(to: destination, count: lanes)
                }
            }
        }
    }

    /// For each window of one output row (`outputRow` counts rows over the whole batch) and each block of up to
    /// 8 channels: `visit(output pixel index, first channel, lanes, max, arg-max as ky·window + kx)`. The arg-max
    /// is held as Float, so that comparing it yields the same mask type as the Float lanes it selects (an
    /// Int32 compare there compiled to a lane-by-lane loop).
    @inline(__always)
    private func forEachWindow(_ input: UnsafePointer<Float>, shape: NHWCShape, outputShape out: NHWCShape,
                               outputRow: Int,
                               _ visit: (Int, Int, Int, SIMD8<Float>, SIMD8<Float>) -> Void) {
        let (n, oy) = outputRow.quotientAndRemainder(dividingBy: out.height)
        let channels = shape.channels
        for ox in 0..<out.width {
            for c in Swift.stride(from: 0, to: channels, by: 8) {
                let lanes = min(8, channels - c)
                var best = SIMD8<Float>(repeating: -.infinity)
                var arg = SIMD8<Float>()
                for ky in 0..<window {
                    let row = input + ((n * shape.height + oy * stride + ky) * shape.width + ox * stride) * channels + c
                    for kx in 0..<window {
                        let v = SIMD8<Float>(loading: row + kx * channels, count: lanes, padding: -.infinity)
                        let take = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: take)
                        arg.replace(with: Float(ky * window + kx), where: take)
                    }
                }
                visit(outputRow * out.width + ox, c, lanes, best, arg)
            }
        }
    }
}
