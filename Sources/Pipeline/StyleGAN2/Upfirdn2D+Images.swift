import SIMDKernels

/// Array conveniences over the SIMDKernels upfirdn2d for one square NHWC image (the generator's shapes
/// are fixed by its validated configuration, so a shape error here is a programming error).
extension Upfirdn2D {
    /// [size][size][channels] -> the filtered image.
    func apply(_ x: [Float], size: Int, channels: Int) -> [Float] {
        let shape = NHWCShape(batch: 1, height: size, width: size, channels: channels)
        let out = try! outputShape(for: shape)
        return filledArray(count: out.count) { y in
            x.withUnsafeBufferPointer { try! forward($0.baseAddress!, shape: shape, output: y) }
        }
    }

    /// The adjoint of `apply` for an input of [size][size][channels]: dL/dx from dL/dy.
    func adjoint(_ dy: [Float], inputSize size: Int, channels: Int) -> [Float] {
        let shape = NHWCShape(batch: 1, height: size, width: size, channels: channels)
        return filledArray(count: shape.count) { dx in
            dy.withUnsafeBufferPointer { try! backward(gradOutput: $0.baseAddress!, inputShape: shape, gradInput: dx) }
        }
    }
}
