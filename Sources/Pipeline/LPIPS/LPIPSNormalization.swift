import SIMDKernels

/// LPIPS's per-pixel channel normalisation n = f / (‖f‖ + 1e-10) on feature maps (SIMDKernels'
/// `ChannelNormalize`, whose backward is 0 at all-zero pixels instead of PyTorch's NaN).
enum LPIPSNormalization {
    static func forward(_ f: LPIPSFeatureMap) -> LPIPSFeatureMap {
        LPIPSFeatureMap(shape: f.shape) { ChannelNormalize.forward(f.values, shape: f.shape, output: $0) }
    }

    /// ∂L/∂f from ∂L/∂n, in place.
    static func backward(_ gradient: inout LPIPSFeatureMap, input f: LPIPSFeatureMap) {
        gradient.values.withUnsafeMutableBufferPointer { g in
            ChannelNormalize.backward(f.values, gradOutput: g.baseAddress!, shape: f.shape, gradInput: g.baseAddress!)
        }
    }
}
