import Testing
import SIMDKernels
import PivotTestSupport

/// Stride-1 shapes for the Winograd path, which `Conv2DTests` checks (forced onto it) against the scalar
/// reference within the direct convolution's float32 bound, by the adjoint identity and with accumulate: 3×3/1/1 with map sizes 1…3 mod 4 (partial tiles), one pixel,
/// batch 2, channel counts of one vector and of several panels, more input channels than one K block (256);
/// then kernels cut into several 3×3 blocks (AlexNet's 5×5/2, 4×4, 7×7) and paddings other than kernel/2;
/// then, for the schedule by thread blocks (`WinogradSchedule`), 16 tiles in blocks of 6 (the last one short,
/// a boundary inside a row of tiles, a block across two images), and a layer whose U is large enough for the
/// schedule by groups (also shape 8, 256 → 256).
let winogradShapes: [Conv2D] = [
    try! Conv2D(batch: 1, height: 16, width: 16, inputChannels: 8, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 17, width: 19, inputChannels: 16, outputChannels: 24, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 18, width: 21, inputChannels: 40, outputChannels: 8, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 1, width: 1, inputChannels: 8, outputChannels: 16, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 5, width: 3, inputChannels: 24, outputChannels: 32, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 9, width: 6, inputChannels: 264, outputChannels: 40, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 64, width: 48, inputChannels: 32, outputChannels: 64, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 16, width: 16, inputChannels: 128, outputChannels: 256, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 16, width: 16, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1),
    try! Conv2D(batch: 2, height: 13, width: 11, inputChannels: 16, outputChannels: 24, kernel: 5, padding: 2),
    try! Conv2D(batch: 1, height: 9, width: 10, inputChannels: 8, outputChannels: 8, kernel: 5, padding: 0),
    try! Conv2D(batch: 1, height: 7, width: 9, inputChannels: 8, outputChannels: 16, kernel: 3, padding: 0),
    try! Conv2D(batch: 1, height: 12, width: 8, inputChannels: 8, outputChannels: 8, kernel: 4, padding: 1),
    try! Conv2D(batch: 1, height: 10, width: 10, inputChannels: 16, outputChannels: 8, kernel: 7, padding: 3),
    try! Conv2D(batch: 2, height: 7, width: 13, inputChannels: 128, outputChannels: 136, kernel: 3, padding: 1),
    try! Conv2D(batch: 1, height: 6, width: 7, inputChannels: 384, outputChannels: 392, kernel: 3, padding: 1),
]

extension Conv2D {
    func winogradForward(_ x: [Float], _ w: [Float], bias: [Float]?) -> [Float] {
        let transformed = w.withUnsafeBufferPointer { winogradWeights($0.baseAddress!) }
        var y = [Float](repeating: .nan, count: outputCount)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                let b = bias ?? []
                b.withUnsafeBufferPointer { b in
                    forward(input: x.baseAddress!, winogradWeights: transformed, bias: bias == nil ? nil : b.baseAddress!,
                            output: y.baseAddress!)
                }
            }
        }
        return y
    }

    func winogradBackwardData(_ dy: [Float], _ w: [Float]) -> [Float] {
        let transformed = w.withUnsafeBufferPointer { winogradBackwardDataWeights($0.baseAddress!) }
        var dx = [Float](repeating: .nan, count: inputCount)
        dy.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer {
                backwardData(outputGradient: dy.baseAddress!, winogradWeights: transformed, inputGradient: $0.baseAddress!)
            }
        }
        return dx
    }
}

struct WinogradTests {
    /// Weights transformed once give exactly what the plain entry points compute on the Winograd path.
    @Test(arguments: winogradShapes.indices)
    func transformedWeightsMatchThePlainPath(_ index: Int) {
        var s = winogradShapes[index]
        s.algorithm = .winograd
        let v = ConvOperands(s, seed: UInt64(index) + 300)
        #expect(s.forward(v.x, v.w, bias: v.bias) == s.winogradForward(v.x, v.w, bias: v.bias))
        #expect(s.backwardData(v.dy, v.w) == s.winogradBackwardData(v.dy, v.w))
    }

    /// U built from blocks of eight output channels (`init(inputChannels:outputChannels:outputBlocks:)`, for
    /// weights made per call) is U transformed from the same HWIO weights: the same forward pass, bit for bit,
    /// on every 3×3 shape (one vector, several panels, a partial last panel, K over one block, batch 2). The
    /// HWIO path itself is checked against the scalar reference by `Conv2DTests`.
    @Test(arguments: winogradShapes.indices.filter { winogradShapes[$0].kernel == 3 })
    func outputBlockWeightsMatchHWIOWeights(_ index: Int) {
        var s = winogradShapes[index]
        s.algorithm = .winograd
        let v = ConvOperands(s, seed: UInt64(index) + 600)
        let cin = s.inputChannels, cout = s.outputChannels
        let blocks = WinogradWeights(inputChannels: cin, outputChannels: cout) { first, taps in
            for i in 0..<cin {
                for t in 0..<9 {
                    taps[i * 9 + t] = SIMD8((0..<8).map { v.w[(t * cin + i) * cout + first + $0] })
                }
            }
        }
        var y = [Float](repeating: .nan, count: s.outputCount)
        v.x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer {
                s.forward(input: x.baseAddress!, winogradWeights: blocks, bias: nil, output: $0.baseAddress!)
            }
        }
        #expect(y == s.winogradForward(v.x, v.w, bias: nil))
    }

    /// The backward-data weights, transformed straight from the layer's weights, are those of the transposed
    /// convolution (kernel flipped, channel roles swapped) transformed from an explicitly flipped copy: the
    /// backward-data pass gives exactly that convolution's forward pass.
    @Test(arguments: winogradShapes.indices)
    func backwardDataWeightsAreTheFlippedKernels(_ index: Int) {
        let s = winogradShapes[index], v = ConvOperands(s, seed: UInt64(index) + 500)
        let taps = s.kernel * s.kernel, cin = s.inputChannels, cout = s.outputChannels
        var flipped = [Float](repeating: .nan, count: v.w.count)
        for t in 0..<taps {
            for i in 0..<cin {
                for o in 0..<cout { flipped[((taps - 1 - t) * cout + o) * cin + i] = v.w[(t * cin + i) * cout + o] }
            }
        }
        let transposed = try! Conv2D(batch: s.batch, height: s.outputHeight, width: s.outputWidth, inputChannels: cout,
                                     outputChannels: cin, kernel: s.kernel, padding: s.kernel - 1 - s.padding)
        #expect(s.winogradBackwardData(v.dy, v.w) == transposed.winogradForward(v.dy, flipped, bias: nil))
    }

    /// The fused ReLU stores exactly relu(forward), NaN → 0; the fused ReLU backward (`activeOutput`) gives
    /// exactly the plain pass on the selected gradient, and a NaN gradient at an inactive unit stays out.
    @Test(arguments: [0, 1, 9, 12, 14])
    func fusedReLUMatchesSeparatePasses(_ index: Int) {
        let s = winogradShapes[index], v = ConvOperands(s, seed: UInt64(index) + 400)
        let transformed = v.w.withUnsafeBufferPointer { s.winogradWeights($0.baseAddress!) }
        var x = v.x
        x[x.count / 2] = .nan
        let y = s.winogradForward(x, v.w, bias: v.bias)
        var fused = [Float](repeating: .nan, count: s.outputCount)
        x.withUnsafeBufferPointer { x in
            v.bias.withUnsafeBufferPointer { b in
                fused.withUnsafeMutableBufferPointer {
                    s.forward(input: x.baseAddress!, winogradWeights: transformed, bias: b.baseAddress!,
                              output: $0.baseAddress!, relu: true)
                }
            }
        }
        #expect(y.contains { $0.isNaN } && y.contains { $0 <= 0 } && y.contains { $0 > 0 })
        #expect(fused == y.map { $0 > 0 ? $0 : 0 })

        var dy = v.dy
        let inactive = y.indices.first { !(y[$0] > 0) }!
        dy[inactive] = .nan
        let selected = zip(dy, y).map { $1 > 0 ? $0 : 0 }
        let backwardTransformed = v.w.withUnsafeBufferPointer { s.winogradBackwardDataWeights($0.baseAddress!) }
        var dx = [Float](repeating: .nan, count: s.inputCount)
        dy.withUnsafeBufferPointer { dy in
            y.withUnsafeBufferPointer { y in
                dx.withUnsafeMutableBufferPointer {
                    s.backwardData(outputGradient: dy.baseAddress!, winogradWeights: backwardTransformed,
                                   inputGradient: $0.baseAddress!, activeOutput: y.baseAddress!)
                }
            }
        }
        #expect(dx == s.winogradBackwardData(selected, v.w))
        #expect(!dx.contains { $0.isNaN })
    }

    /// The automatic path takes Winograd on large enough maps of whole vectors, and the direct one otherwise.
    @Test func automaticPathChoosesWinogradByShape() {
        let large = winogradShapes[6], small = winogradShapes[4]
        #expect(large.usesWinograd && !small.usesWinograd)
        let v = ConvOperands(large, seed: 11)
        #expect(large.forward(v.x, v.w, bias: v.bias) == large.winogradForward(v.x, v.w, bias: v.bias))
        #expect(large.backwardData(v.dy, v.w) == large.winogradBackwardData(v.dy, v.w))
        let odd = try! Conv2D(batch: 1, height: 32, width: 32, inputChannels: 12, outputChannels: 8, kernel: 3, padding: 1)
        #expect(!odd.usesWinograd)
    }
}

@Suite struct WinogradThreadTests {
    /// By thread blocks, the blocks are cut into ranges per thread count and each range runs with its own V and M;
    /// by groups, threads split tiles and points. No split divides a sum, so one, two and three threads give the
    /// same bits, forward and backward-data. Blocks of 6 tiles (shape 14: 3 blocks), 18 (shape 6: 11 blocks) and
    /// 24 (a 128² map with 32 channels: 43 blocks, in 1, 4 and 3 ranges); shape 15 by groups.
    @Test func threadCountDoesNotChangeTheBits() {
        let many = try! Conv2D(batch: 1, height: 128, width: 128, inputChannels: 32, outputChannels: 32, kernel: 3,
                               padding: 1)
        for s in forced([winogradShapes[14], winogradShapes[6], many, winogradShapes[15]], onto: .winograd) {
            let v = ConvOperands(s, seed: 700)
            let results = [1, 2, 3].map { threads in
                Parallel.withThreadCount(threads) { [s.forward(v.x, v.w, bias: v.bias), s.backwardData(v.dy, v.w)] }
            }
            #expect(results[0] == results[1] && results[0] == results[2], "\(s)")
        }
    }
}
