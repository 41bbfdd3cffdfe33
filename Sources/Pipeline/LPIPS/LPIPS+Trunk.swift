import SIMDKernels

/// The trunk's forward pass, keeping what its backward pass needs, and that backward pass.
extension LPIPS {
    struct TrunkPass {
        /// Each convolution's input shape (after its pool, if any).
        var convolutionInputShapes: [NHWCShape] = []
        /// Each convolution's ReLU output: the ReLU mask, the next pool's input, and (where tapped) a tap.
        var outputs: [LPIPSFeatureMap] = []
        var taps: [LPIPSFeatureMap] = []
    }

    /// `prepared[i]` is layer i's prepared weights at this size (see `LPIPSTarget`), or nil.
    func trunkForward(_ image: [Float], height: Int, width: Int, prepared: [LPIPSPreparedWeights?]) throws -> TrunkPass {
        guard image.count == height * width * 3 else {
            throw LPIPSError.input("\(image.count) floats is not a \(width)x\(height) RGB image")
        }
        _ = try convolutionShapes(height: height, width: width)
        var pass = TrunkPass()
        var x = LPIPSFeatureMap(shape: NHWCShape(batch: 1, height: height, width: width, channels: 3),
                           values: LPIPSScaling.forward(image))
        for (layer, layerWeights) in zip(convolutions, prepared) {
            if let pool = layer.spec.poolBefore { x = try LPIPSMaxPool.forward(x, window: pool.window, stride: pool.stride) }
            pass.convolutionInputShapes.append(x.shape)
            x = try layer.forward(x, prepared: layerWeights)
            pass.outputs.append(x)
            if layer.spec.isTap { pass.taps.append(x) }
        }
        return pass
    }

    /// ∂L/∂(scaled image) given ∂L/∂tap for every tap. A pool whose input is a tap adds its gradient into
    /// that tap's in place (`tapGradients` is used up), rather than into a new map summed with it after.
    func trunkBackward(_ pass: TrunkPass, tapGradients: inout [LPIPSFeatureMap], prepared: [LPIPSPreparedWeights?])
        throws -> [Float] {
        // The gradient reaching layer i's output, other than its tap's (nil: none yet, or already added in).
        var gradient: LPIPSFeatureMap? = nil
        var tapIndex = tapGradients.count
        for (i, layer) in convolutions.enumerated().reversed() {
            if layer.spec.isTap {
                tapIndex -= 1
                if gradient == nil { gradient = tapGradients[tapIndex] } else { gradient! += tapGradients[tapIndex] }
            }
            guard let outputGradient = gradient else { continue }
            let inputGradient = try layer.backward(outputGradient, output: pass.outputs[i],
                                                   inputShape: pass.convolutionInputShapes[i], prepared: prepared[i])
            if let pool = layer.spec.poolBefore {
                if convolutions[i - 1].spec.isTap {
                    try LPIPSMaxPool.backward(inputGradient, input: pass.outputs[i - 1], window: pool.window,
                                              stride: pool.stride, addingTo: &tapGradients[tapIndex - 1])
                    gradient = nil
                } else {
                    gradient = try LPIPSMaxPool.backward(inputGradient, input: pass.outputs[i - 1],
                                                         window: pool.window, stride: pool.stride)
                }
            } else {
                gradient = inputGradient
            }
        }
        return gradient?.values ?? []
    }

    /// Multiply-adds of the trunk's convolutions for one forward pass at this input size (the backward pass
    /// to the input costs the same again).
    public func multiplyAdds(height: Int, width: Int) throws -> Int {
        try convolutionShapes(height: height, width: width).reduce(0) { $0 + $1.multiplyAdds }
    }

    /// The trunk's convolutions at this input size. Every feature map must be at least 1×1, as in PyTorch.
    func convolutionShapes(height: Int, width: Int) throws -> [Conv2D] {
        var shape = NHWCShape(batch: 1, height: height, width: width, channels: 3)
        var result: [Conv2D] = []
        for conv in architecture.convolutions {
            do {
                if let pool = conv.poolBefore {
                    shape = try MaxPool2D(window: pool.window, stride: pool.stride).outputShape(for: shape)
                }
                let c = try Conv2D(batch: 1, height: shape.height, width: shape.width, inputChannels: conv.inputChannels,
                                   outputChannels: conv.outputChannels, kernel: conv.kernel, stride: conv.stride,
                                   padding: conv.padding)
                result.append(c)
                shape = NHWCShape(batch: 1, height: c.outputHeight, width: c.outputWidth, channels: conv.outputChannels)
            } catch {
                throw LPIPSError.input("a \(width)x\(height) image is too small for the \(architecture.name) trunk "
                                       + "(no pixels left at features.\(conv.featureIndex))")
            }
        }
        return result
    }
}
