import SIMDKernels

/// Array conveniences over the SIMDKernels upfirdn2d for one square NHWC image (the generator's shapes
/// are fixed by its validated configuration, so a shape error here is a programming error).
extension Upfirdn2D {
    /// [size][size][channels] -> the filtered image.
    func apply(_ x: [Float], size: Int, channels: Int) -> [Float] {
        let shape = NHWCShape(batch: 1, height: size, width: size, channels: channels)
        let out = try! outputShape(for: shape)
        var y = [Float](repeating: 0, count: out.count)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { try! forward(xp.baseAddress!, shape: shape, output: $0.baseAddress!) }
        }
        return y
    }

    /// The adjoint of `apply` for an input of [size][size][channels]: dL/dx from dL/dy.
    func adjoint(_ dy: [Float], inputSize size: Int, channels: Int) -> [Float] {
        let shape = NHWCShape(batch: 1, height: size, width: size, channels: channels)
        var dx = [Float](repeating: 0, count: shape.count)
        dy.withUnsafeBufferPointer { gp in
            dx.withUnsafeMutableBufferPointer {
                try! backward(gradOutput: gp.baseAddress!, inputShape: shape, gradInput: $0.baseAddress!)
            }
        }
        return dx
    }
}
