import Testing
import SIMDKernels

/// Stride-1 shapes with few output pixels, for the transposed small-map GEMM (`Conv2D+SmallMaps.swift`):
/// one pixel, odd sizes, batch 2, channel counts that are not multiples of the 6- or 8-row tile, more pixels
/// than one 16-pixel window group and one B panel, K longer than one K block (300 input channels for the
/// forward pass, 300 output channels for the backward-data pass), a 1×1 kernel, 5×5 with padding 2, and 3×3
/// without padding. `Conv2DTests` runs each forced onto the small-map path and onto the implicit GEMM.
let smallMapShapes: [Conv2D] = [
    try! Conv2D(batch: 1, height: 1, width: 1, inputChannels: 8, outputChannels: 16, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 4, width: 4, inputChannels: 9, outputChannels: 33, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 3, width: 5, inputChannels: 16, outputChannels: 7, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 5, width: 7, inputChannels: 300, outputChannels: 20, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 4, width: 3, inputChannels: 24, outputChannels: 300, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 3, width: 3, inputChannels: 5, outputChannels: 13, kernel: 1, padding: 0),
    try! Conv2D(batch: 1, height: 4, width: 4, inputChannels: 12, outputChannels: 10, kernel: 5, padding: 2),
    try! Conv2D(batch: 1, height: 6, width: 5, inputChannels: 7, outputChannels: 6, kernel: 3, padding: 0),
]


@Suite struct SmallMapThreadTests {
    /// Threads split rows (of the GEMM, the window packing and the blur), never a sum, so one thread and two
    /// give the same bits. Shapes big enough for every split: the small-map forward (35 pixels, K = 2700) and
    /// backward-data (K = 2700) passes, and UpsampleConv2D's forward and backward-data passes (a 32² blur).
    @Test func oneThreadGivesTheBitsOfTwo() {
        let upsample = try! UpsampleConv2D(batch: 1, height: 16, width: 16, inputChannels: 8, outputChannels: 32)
        let u = UpsampleConv2DTests.Operands(upsample, seed: 500)
        let results = [1, 2].map { threads in
            Parallel.withThreadCount(threads) {
                var passes: [[Float]] = []
                for index in [3, 4] {
                    let s = forced(smallMapShapes, onto: .smallMap)[index], v = ConvOperands(s, seed: UInt64(index) + 400)
                    passes += [s.forward(v.x, v.w, bias: v.bias), s.backwardData(v.dy, v.w)]
                }
                return passes + [upsample.forward(u.x, u.w), upsample.backwardData(u.dy, u.w)]
            }
        }
        for (pass, (one, two)) in zip(results[0], results[1]).enumerated() {
            let firstDifference = one.indices.first { one[$0] != two[$0] }
            #expect(firstDifference == nil, "pass \(pass): first difference at \(firstDifference ?? -1)")
        }
    }
}
