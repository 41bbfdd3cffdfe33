/// A 1×1 convolution to a few output channels (StyleGAN2's ToRGB: 3), NHWC, weights `[outputs][inputs]`:
///
///     y[p][o] = Σ_i x[p][i]·w[o][i]
///
/// On the GEMM the three outputs fill a padded panel, the input gradient is a K = 3 product and the weight
/// gradient a second pass over x read down its columns. Here the backward pass computes both gradients in
/// one sweep over x (`pivot bench kernels --only ToRGB`, 256² × 64 → 3, two threads on a shared machine:
/// 4.1–5.0 ms against 6.2–8.2 ms for the two GEMMs; the forward pass runs level with the GEMM, 1.6–1.8 ms).
public enum NarrowConv1x1 {
    /// The most output channels these kernels take (the registers hold one accumulator per output).
    public static let maximumOutputs = 4

    /// Pixels per parallel chunk; in `backward`, per partial sum of the weight gradient (Float within a chunk,
    /// Double across chunks). A chunk of x (64 pixels × 64 channels, 16 KB) stays in L1 while `backward`
    /// passes over it once per eight channels.
    static let pixelsPerChunk = 64

    /// y = x·wᵀ: x `[pixels][inputs]`, y `[pixels][outputs]`. Each y sums eight lanes of partial dot
    /// products along the inputs, then the lanes.
    public static func forward(_ x: UnsafePointer<Float>, pixels: Int, inputs: Int, weights: UnsafePointer<Float>,
                               outputs: Int, output y: UnsafeMutablePointer<Float>) {
        precondition(inputs > 0 && (1...maximumOutputs).contains(outputs), "NarrowConv1x1: 1–4 outputs, inputs > 0")
        nonisolated(unsafe) let (x, w, y) = (x, weights, y)
        Parallel.forEachRange(pixels, grain: 4 * pixelsPerChunk) { range in
            // One copy of the loop per output count, so that its accumulators live in registers.
            switch outputs {
            case 1: forwardPixels(range, x, inputs: inputs, weights: w, outputs: 1, y)
            case 2: forwardPixels(range, x, inputs: inputs, weights: w, outputs: 2, y)
            case 3: forwardPixels(range, x, inputs: inputs, weights: w, outputs: 3, y)
            default: forwardPixels(range, x, inputs: inputs, weights: w, outputs: 4, y)
            }
        }
    }

    /// From dy `[pixels][outputs]`: dx = dy·w `[pixels][inputs]` (overwritten) and dw = dyᵀ·x `[outputs][inputs]`
    /// (overwritten), the latter summed in Float per chunk of pixels and in Double across chunks.
    public static func backward(_ x: UnsafePointer<Float>, gradOutput dy: UnsafePointer<Float>, pixels: Int, inputs: Int,
                                weights: UnsafePointer<Float>, outputs: Int, inputGradient dx: UnsafeMutablePointer<Float>,
                                weightGradient dw: UnsafeMutablePointer<Float>) {
        precondition(inputs > 0 && (1...maximumOutputs).contains(outputs), "NarrowConv1x1: 1–4 outputs, inputs > 0")
        nonisolated(unsafe) let (x, dy, w, dx) = (x, dy, weights, dx)
        let chunks = (pixels + pixelsPerChunk - 1) / pixelsPerChunk
        let sums = Parallel.sumOfPartials(chunks: chunks, width: outputs * inputs) { k, partial in
            let range = (k * pixelsPerChunk)..<min(pixels, (k + 1) * pixelsPerChunk)
            let operands = (x: x, dy: dy, w: w, dx: dx, dw: partial)
            switch outputs {
            case 1: backwardPixels(range, operands, inputs: inputs, outputs: 1)
            case 2: backwardPixels(range, operands, inputs: inputs, outputs: 2)
            case 3: backwardPixels(range, operands, inputs: inputs, outputs: 3)
            default: backwardPixels(range, operands, inputs: inputs, outputs: 4)
            }
        }
        for j in 0..<(outputs * inputs) { dw[j] = Float(sums[j]) }
    }

    @inline(__always)
    private static func forwardPixels(_ pixels: Range<Int>, _ x: UnsafePointer<Float>, inputs: Int,
                                      weights w: UnsafePointer<Float>, outputs: Int, _ y: UnsafeMutablePointer<Float>) {
        for p in pixels {
            let row = x + p * inputs
            var sums = InlineArray<4, SIMD8<Float>>(repeating: SIMD8())
            for i in stride(from: 0, to: inputs, by: 8) {
                let lanes = min(8, inputs - i), xv = SIMD8<Float>(loading: row + i, count: lanes)
                for o in 0..<outputs {
                    sums[o] = sums[o].addingProduct(xv, SIMD8(loading: w + o * inputs + i, count: lanes))
                }
            }
            for o in 0..<outputs { y[p * outputs + o] = sums[o].sum() }
        }
    }

    /// Eight channels at a time over the chunk's pixels: the weights' eight columns and the eight dw sums stay
    /// in registers while dx's columns are written.
    @inline(__always)
    private static func backwardPixels(_ pixels: Range<Int>,
                                       _ a: (x: UnsafePointer<Float>, dy: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                             dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>),
                                       inputs: Int, outputs: Int) {
        for i in stride(from: 0, to: inputs, by: 8) {
            let lanes = min(8, inputs - i)
            var wv = InlineArray<4, SIMD8<Float>>(repeating: SIMD8()), sums = wv
            for o in 0..<outputs { wv[o] = SIMD8(loading: a.w + o * inputs + i, count: lanes) }
            for p in pixels {
                let xv = SIMD8<Float>(loading: a.x + p * inputs + i, count: lanes)
                var dxv = SIMD8<Float>()
                for o in 0..<outputs {
                    let g = SIMD8<Float>(repeating: a.dy[p * outputs + o])
                    dxv = dxv.addingProduct(g, wv[o])
                    sums[o] = sums[o].addingProduct(g, xv)
                }
                dxv.store(to: a.dx + p * inputs + i, count: lanes)
            }
            for o in 0..<outputs { sums[o].store(to: a.dw + o * inputs + i, count: lanes) }
        }
    }
}
