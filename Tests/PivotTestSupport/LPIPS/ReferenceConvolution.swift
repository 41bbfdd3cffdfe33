/// A 2-D convolution with bias, PyTorch semantics (cross-correlation, zero padding, floor output size),
/// written as plain loops in Double. Weights are given in PyTorch's `[Cout, Cin, kh, kw]` order.
public struct ReferenceConvolution {
    public let outputChannels: Int
    public let inputChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    /// Weights rearranged to `[kh][kw][Cin][Cout]` so the inner loops run over contiguous channels.
    let weightsHWIO: [Double]
    public let bias: [Double]

    public init<F: BinaryFloatingPoint>(weightOIHW: [F], bias: [F], outputChannels: Int, inputChannels: Int,
                                        kernel: Int, stride: Int = 1, padding: Int) {
        precondition(weightOIHW.count == outputChannels * inputChannels * kernel * kernel && bias.count == outputChannels,
                     "ReferenceConvolution: weight/bias size mismatch")
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.bias = bias.map(Double.init)
        var hwio = [Double](repeating: 0, count: weightOIHW.count)
        for o in 0..<outputChannels {
            for i in 0..<inputChannels {
                for ky in 0..<kernel {
                    for kx in 0..<kernel {
                        hwio[((ky * kernel + kx) * inputChannels + i) * outputChannels + o] =
                            Double(weightOIHW[((o * inputChannels + i) * kernel + ky) * kernel + kx])
                    }
                }
            }
        }
        weightsHWIO = hwio
    }

    public func outputSize(_ n: Int) -> Int { (n + 2 * padding - kernel) / stride + 1 }

    public func forward(_ x: ReferenceImage) -> ReferenceImage {
        precondition(x.channels == inputChannels, "ReferenceConvolution: channel mismatch")
        var y = ReferenceImage(height: outputSize(x.height), width: outputSize(x.width), channels: outputChannels)
        let cin = inputChannels, cout = outputChannels
        weightsHWIO.withUnsafeBufferPointer { w in
            x.values.withUnsafeBufferPointer { xv in
                y.values.withUnsafeMutableBufferPointer { yv in
                    for oy in 0..<y.height {
                        for ox in 0..<y.width {
                            let out = (oy * y.width + ox) * cout
                            for o in 0..<cout { yv[out + o] = bias[o] }
                            forEachTap(oy, ox, x.height, x.width) { tap, iy, ix in
                                for i in 0..<cin {
                                    let v = xv[x.index(iy, ix, i)]
                                    let row = (tap * cin + i) * cout
                                    for o in 0..<cout { yv[out + o] += v * w[row + o] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// ∂L/∂x given ∂L/∂y (the weights are frozen, so no weight gradient).
    public func backwardData(_ dy: ReferenceImage, inputHeight: Int, inputWidth: Int) -> ReferenceImage {
        var dx = ReferenceImage(height: inputHeight, width: inputWidth, channels: inputChannels)
        let cin = inputChannels, cout = outputChannels
        let (height, width) = (inputHeight, inputWidth)
        weightsHWIO.withUnsafeBufferPointer { w in
            dy.values.withUnsafeBufferPointer { dyv in
                dx.values.withUnsafeMutableBufferPointer { dxv in
                    for oy in 0..<dy.height {
                        for ox in 0..<dy.width {
                            let out = (oy * dy.width + ox) * cout
                            forEachTap(oy, ox, height, width) { tap, iy, ix in
                                for i in 0..<cin {
                                    let row = (tap * cin + i) * cout
                                    var sum = 0.0
                                    for o in 0..<cout { sum += w[row + o] * dyv[out + o] }
                                    dxv[(iy * width + ix) * cin + i] += sum
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Calls `body(tap, iy, ix)` for every kernel tap of output pixel (oy, ox) that lands inside the input.
    private func forEachTap(_ oy: Int, _ ox: Int, _ height: Int, _ width: Int, _ body: (Int, Int, Int) -> Void) {
        for ky in 0..<kernel {
            let iy = oy * stride - padding + ky
            if iy < 0 || iy >= height { continue }
            for kx in 0..<kernel {
                let ix = ox * stride - padding + kx
                if ix < 0 || ix >= width { continue }
                body(ky * kernel + kx, iy, ix)
            }
        }
    }
}
