import SIMDKernels

/// LPIPS's per-pixel channel normalisation n = f / (‖f‖ + 1e-10) on a feature map (SIMDKernels'
/// `ChannelNormalize`): the target's taps. The image's taps are normalised inside `LPIPSHead.term`, with the
/// backward pass (0 at all-zero pixels instead of PyTorch's NaN).
enum LPIPSNormalization {
    static func forward(_ f: LPIPSFeatureMap) -> LPIPSFeatureMap {
        LPIPSFeatureMap(shape: f.shape) { ChannelNormalize.forward(f.values, shape: f.shape, output: $0) }
    }
}
