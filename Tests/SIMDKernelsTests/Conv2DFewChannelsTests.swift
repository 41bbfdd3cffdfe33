import Testing
import SIMDKernels
import PivotTestSupport

/// Shapes for the RGB-input path (fewer than 8 input channels: the forward takes kernel rows of a zero-haloed
/// copy of the input as taps, the backward-data col2im), once forced off the small-map GEMM: 1, 3 and 7 input channels;
/// 1×1 maps, odd maps, maps of many row tiles (95×77: 7315 pixels over many ranges, AlexNet's 131×67:
/// windows cut by both borders); 3×3/1/1, 11×11/4/2, 5×5/1/2; batch 2; output channels below, at and
/// between whole vectors.
let fewChannelShapes: [Conv2D] = [
    try! Conv2D(batch: 1, height: 1, width: 1, inputChannels: 1, outputChannels: 5, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 1, width: 1, inputChannels: 3, outputChannels: 64, kernel: 5, padding: 2),
    try! Conv2D(batch: 2, height: 17, width: 13, inputChannels: 1, outputChannels: 9, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 95, width: 77, inputChannels: 3, outputChannels: 64, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 45, width: 39, inputChannels: 3, outputChannels: 20, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 1, height: 29, width: 31, inputChannels: 7, outputChannels: 33, kernel: 5, padding: 2),
    try! Conv2D(batch: 1, height: 131, width: 67, inputChannels: 3, outputChannels: 64, kernel: 11, stride: 4, padding: 2),
    try! Conv2D(batch: 2, height: 11, width: 9, inputChannels: 7, outputChannels: 8, kernel: 11, stride: 4, padding: 2),
]

/// Forced onto the implicit GEMM, these shapes are in `testedConvolutions`: `Conv2DTests` checks them
/// against the scalar reference, by the adjoint identity and (two of them) by finite differences.
struct Conv2DFewChannelsTests {
    /// Rows split over threads, never a sum: one thread gives the bits of all (see `ImplicitGemmThreadTests`).
    @Test func oneThreadGivesTheBitsOfAll() {
        expectOneThreadGivesTheBitsOfAll(forced([fewChannelShapes[3], fewChannelShapes[6]], onto: .implicitGemm), seed: 1200)
    }
}
