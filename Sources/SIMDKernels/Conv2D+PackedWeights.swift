/// The implicit GEMM's weights packed once for repeated passes with fixed weights (LPIPS's frozen trunk):
/// `forward` and `backwardData` otherwise repack them on every call, 9.4 MB per pass of a 3×3 512→512 layer.
public struct ImplicitGemmWeights: Sendable {
    let kernel: Int
    let inputChannels: Int
    let outputChannels: Int
    let stride: Int
    /// The forward pass's B: K = taps × input channels rows, one column per output channel.
    let forward: PackedMatrix
    /// The backward-data pass's B: for RGB input layers the single col2im matrix, else one per input phase
    /// (py · stride + px; nil where no tap reaches the phase).
    let backwardData: [PackedMatrix?]
}

extension Conv2D {
    /// Whether `forward` and `backwardData` take the implicit GEMM (not Winograd, not the small-map path):
    /// the layers that `implicitGemmWeights` serves.
    public var usesImplicitGemm: Bool { !usesWinograd && !usesSmallMap }

    /// `weights` (HWIO, as in `forward`) packed for both passes of this layer.
    public func implicitGemmWeights(_ weights: UnsafePointer<Float>) -> ImplicitGemmWeights {
        let backward: [PackedMatrix?]
        if inputChannels < Self.fewChannelLimit {
            backward = [col2imWeights(weights)]
        } else {
            backward = (0..<stride * stride).map { phase in
                let taps = phaseTaps(phase / stride, phase % stride)
                return taps.isEmpty ? nil : phaseWeights(weights, taps: taps)
            }
        }
        return ImplicitGemmWeights(kernel: kernel, inputChannels: inputChannels, outputChannels: outputChannels,
                                   stride: stride, forward: forwardWeights(weights), backwardData: backward)
    }

    /// `forward` with weights packed by `implicitGemmWeights`. Requires `usesImplicitGemm`.
    public func forward(input: UnsafePointer<Float>, implicitGemmWeights packed: ImplicitGemmWeights,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        checkImplicitGemm(packed)
        forward(input: input, packedWeights: packed.forward, bias: bias, output: output)
    }

    /// `backwardData` with weights packed by `implicitGemmWeights`. Requires `usesImplicitGemm`.
    public func backwardData(outputGradient: UnsafePointer<Float>, implicitGemmWeights packed: ImplicitGemmWeights,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        checkImplicitGemm(packed)
        if inputChannels < Self.fewChannelLimit {
            return backwardDataByCol2im(outputGradient: outputGradient, packedWeights: packed.backwardData[0]!,
                                        inputGradient: inputGradient, accumulate: accumulate)
        }
        backwardDataByPhases(outputGradient: outputGradient, inputGradient: inputGradient, accumulate: accumulate) {
            packed.backwardData[$0 * stride + $1]!
        }
    }

    private func checkImplicitGemm(_ packed: ImplicitGemmWeights) {
        precondition(usesImplicitGemm, "\(self) does not take the implicit GEMM")
        precondition(packed.kernel == kernel && packed.inputChannels == inputChannels
                     && packed.outputChannels == outputChannels && packed.stride == stride,
                     "implicit-GEMM weights packed for another layer")
    }
}
