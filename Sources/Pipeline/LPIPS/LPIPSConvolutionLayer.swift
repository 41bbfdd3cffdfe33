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

    /// The weights prepared for `conv` (this layer at one input size): transformed for the Winograd path (for
    /// the backward pass too when `backward`), or packed for the implicit GEMM; nil on the small-map path.
    func preparedWeights(for conv: Conv2D, backward: Bool) -> LPIPSPreparedWeights? {
        weightsHWIO.withUnsafeBufferPointer { w in
            if conv.usesWinograd {
                return .winograd(forward: conv.winogradWeights(w.baseAddress!),
                                 backwardData: backward ? conv.winogradBackwardDataWeights(w.baseAddress!) : nil)
            }
            return conv.usesImplicitGemm ? .implicitGemm(conv.implicitGemmWeights(w.baseAddress!)) : nil
        }
    }

    /// relu(conv(x) + bias). On the Winograd path the ReLU is part of the output transform.
    func forward(_ x: LPIPSFeatureMap, prepared: LPIPSPreparedWeights?) throws -> LPIPSFeatureMap {
        let conv = try convolution(x.shape)
        let shape = NHWCShape(batch: x.shape.batch, height: conv.outputHeight, width: conv.outputWidth,
                              channels: spec.outputChannels)
        return LPIPSFeatureMap(shape: shape) { output in
            switch prepared {
            case .winograd(let forward, _):
                conv.forward(input: x.values, winogradWeights: forward, bias: bias, output: output, relu: true)
            case .implicitGemm(let packed):
                conv.forward(input: x.values, implicitGemmWeights: packed, bias: bias, output: output)
                relu(output, count: shape.count)
            case nil:
                conv.forward(input: x.values, weights: weightsHWIO, bias: bias, output: output)
                relu(output, count: shape.count)
            }
        }
    }

    /// ∂L/∂x from ∂L/∂(ReLU output). The ReLU backward is a select, not a multiply by a 0/1 mask, so a
    /// non-finite gradient at an inactive unit cannot leak through (specs/lpips.md §5). On the Winograd path
    /// the select is part of the input transform.
    func backward(_ gradient: LPIPSFeatureMap, output: LPIPSFeatureMap, inputShape: NHWCShape,
                  prepared: LPIPSPreparedWeights?) throws -> LPIPSFeatureMap {
        let conv = try convolution(inputShape)
        if conv.usesWinograd {
            let transformed = weightsHWIO.withUnsafeBufferPointer { w in
                if case .winograd(_, let backwardData?) = prepared { return backwardData }
                return conv.winogradBackwardDataWeights(w.baseAddress!)
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
            if case .implicitGemm(let packed) = prepared {
                conv.backwardData(outputGradient: masked.values, implicitGemmWeights: packed, inputGradient: inputGradient)
            } else {
                conv.backwardData(outputGradient: masked.values, weights: weightsHWIO, inputGradient: inputGradient)
            }
        }
    }
}

/// A trunk layer's weights prepared once for its algorithm at one input size; `LPIPSTarget` keeps them for
/// every call against it (the per-call Winograd transform was 7% of an LPIPS call, the implicit GEMM's
/// packing of VGG's conv5 weights at 256² ~4%).
enum LPIPSPreparedWeights: Sendable {
    /// `backwardData` nil for a target prepared for distances only (the backward pass then transforms per call).
    case winograd(forward: WinogradWeights, backwardData: WinogradWeights?)
    case implicitGemm(ImplicitGemmWeights)
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
