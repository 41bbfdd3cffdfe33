import SIMDKernels

/// One trunk convolution with its bias and ReLU: forward, and backward to its input (the weights are frozen).
struct LPIPSConvolutionLayer: Sendable {
    let spec: LPIPSArchitecture.Convolution
    /// Weights in `Conv2D`'s HWIO order, converted once from PyTorch's OIHW.
    let weightsHWIO: [Float]
    let bias: [Float]

    init(_ spec: LPIPSArchitecture.Convolution, weight oihw: [Float], bias: [Float]) {
        self.spec = spec
        self.bias = bias
        let k = spec.kernel, cin = spec.inputChannels, cout = spec.outputChannels
        var hwio = [Float](repeating: 0, count: oihw.count)
        for o in 0..<cout {
            for i in 0..<cin {
                for tap in 0..<k * k { hwio[(tap * cin + i) * cout + o] = oihw[(o * cin + i) * k * k + tap] }
            }
        }
        weightsHWIO = hwio
    }

    private func convolution(_ input: NHWCShape) throws -> Conv2D {
        try Conv2D(batch: input.batch, height: input.height, width: input.width, inputChannels: spec.inputChannels,
                   outputChannels: spec.outputChannels, kernel: spec.kernel, stride: spec.stride, padding: spec.padding)
    }

    /// The weights transformed for the Winograd path of `conv` (this layer at one input size), for the
    /// backward pass too when `backward`; nil where that size runs on the implicit GEMM.
    func winogradWeights(for conv: Conv2D, backward: Bool) -> LPIPSWinogradWeights? {
        guard conv.usesWinograd else { return nil }
        return weightsHWIO.withUnsafeBufferPointer { w in
            LPIPSWinogradWeights(forward: conv.winogradWeights(w.baseAddress!),
                                 backwardData: backward ? conv.winogradBackwardDataWeights(w.baseAddress!) : nil)
        }
    }

    /// relu(conv(x) + bias). On the Winograd path the ReLU is part of the output transform.
    func forward(_ x: LPIPSFeatureMap, winograd: LPIPSWinogradWeights?) throws -> LPIPSFeatureMap {
        let conv = try convolution(x.shape)
        let shape = NHWCShape(batch: x.shape.batch, height: conv.outputHeight, width: conv.outputWidth,
                              channels: spec.outputChannels)
        return LPIPSFeatureMap(shape: shape) { output in
            if let winograd {
                conv.forward(input: x.values, winogradWeights: winograd.forward, bias: bias, output: output, relu: true)
            } else {
                conv.forward(input: x.values, weights: weightsHWIO, bias: bias, output: output)
                relu(output, count: shape.count)
            }
        }
    }

    /// ∂L/∂x from ∂L/∂(ReLU output). The ReLU backward is a select, not a multiply by a 0/1 mask, so a
    /// non-finite gradient at an inactive unit cannot leak through (specs/lpips.md §5). On the Winograd path
    /// the select is part of the input transform.
    func backward(_ gradient: LPIPSFeatureMap, output: LPIPSFeatureMap, inputShape: NHWCShape,
                  winograd: LPIPSWinogradWeights?) throws -> LPIPSFeatureMap {
        let conv = try convolution(inputShape)
        if conv.usesWinograd {
            let transformed = weightsHWIO.withUnsafeBufferPointer {
                winograd?.backwardData ?? conv.winogradBackwardDataWeights($0.baseAddress!)
            }
            return LPIPSFeatureMap(shape: inputShape) { inputGradient in
                conv.backwardData(outputGradient: gradient.values, winogradWeights: transformed,
                                  inputGradient: inputGradient, activeOutput: output.values)
            }
        }
        let masked = LPIPSFeatureMap(shape: gradient.shape) {
            reluBackward(gradient.values, output: output.values, count: gradient.values.count, into: $0)
        }
        return LPIPSFeatureMap(shape: inputShape) { inputGradient in
            conv.backwardData(outputGradient: masked.values, weights: weightsHWIO, inputGradient: inputGradient)
        }
    }
}

/// A trunk layer's weights transformed once for Winograd, for both passes; `LPIPSTarget` keeps them for
/// every call against it (the per-call transform was 7% of an LPIPS call).
struct LPIPSWinogradWeights: Sendable {
    let forward: WinogradWeights
    /// nil for a target prepared for distances only (the backward pass then transforms per call).
    let backwardData: WinogradWeights?
}

/// x ← x > 0 ? x : 0 (NaN → 0), eight at a time, in parallel chunks.
private func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
    nonisolated(unsafe) let x = x
    Parallel.forEachRange(count) { range in
        for i in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
            let lanes = min(8, range.upperBound - i)
            let v = SIMD8<Float>(loading: x + i, count: lanes)
            SIMD8<Float>().replacing(with: v, where: v .> 0).store(to: x + i, count: lanes)
        }
    }
}

/// masked = y > 0 ? g : 0, a select (a NaN or infinite g at an inactive unit does not leak through).
private func reluBackward(_ g: UnsafePointer<Float>, output y: UnsafePointer<Float>, count: Int,
                          into masked: UnsafeMutablePointer<Float>) {
    nonisolated(unsafe) let (g, y, masked) = (g, y, masked)
    Parallel.forEachRange(count) { range in
        for i in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
            let lanes = min(8, range.upperBound - i)
            let active = SIMD8<Float>(loading: y + i, count: lanes) .> 0
            SIMD8<Float>().replacing(with: SIMD8<Float>(loading: g + i, count: lanes), where: active)
                .store(to: masked + i, count: lanes)
        }
    }
}
