import SIMDKernels

/// Fused modulation and demodulation of one sample (stylegan2.md §5.4, backward §6 item 5):
///   w1[o,i,t] = W[o,i,t]·s[i],  d[o] = rsqrt(Σ_{i,t} w1² + 1e-8),  w2 = w1·d[o]
/// `packed` holds w2 in the convolution's weight layout.
///
/// W is [outputs][inputs][taps] (PyTorch) and the packed layouts are tap-major, so every loop here is a
/// transpose. Eight lanes run along the outputs where the packed layout keeps them contiguous (conv1's, and
/// d): a block of eight W rows is turned into lanes by 8×8 register transposes (`OutputBlock`), and the
/// weight gradient turned back the same way. In conv0's layout the lanes run along the inputs: a row's taps
/// of eight inputs go through one 8×8 transpose (taps 0–7) and a gather (tap 8), `loadTaps`/`storeTaps`.
/// Each lane sums in the order of the plain scalar formulas (over inputs, then taps).
struct ModulatedWeight {
    enum Layout {
        /// [tap][inputs][outputs]: HWIO of a convolution from inputs to outputs (conv1).
        case tapInputOutput
        /// [tap][outputs][inputs]: HWIO of the stride-2 convolution whose adjoint is conv0.
        case tapOutputInput
    }

    let inputs: Int
    let outputs: Int
    let layout: Layout
    var demodulation: [Float]
    var packed: [Float]

    static let taps = 9

    /// Distances in `packed` between consecutive taps, inputs and outputs.
    var strides: (tap: Int, input: Int, output: Int) {
        layout == .tapInputOutput ? (inputs * outputs, outputs, 1) : (inputs * outputs, 1, inputs)
    }

    init(weight: [Float], styles: [Float], outputs: Int, layout: Layout) {
        let inputs = styles.count
        self.inputs = inputs; self.outputs = outputs; self.layout = layout
        var packed: [Float] = []
        // d from each block of transposed rows; in conv1's layout the block's packed columns come from the
        // same registers.
        demodulation = weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            filledArray(count: outputs) { d in
                let fill = { (p: UnsafeMutablePointer<Float>?) in
                    OutputBlock.forEach(w.baseAddress!, inputs: inputs, outputs: outputs, buffers: 1) { block in
                        let dv = block.demodulation(styles: s.baseAddress!)
                        dv.store(to: d + block.first, count: block.lanes)
                        if let p { block.storePacked(into: p, scale: s.baseAddress!, demodulation: dv) }
                    }
                }
                if layout == .tapInputOutput {
                    packed = filledArray(count: weight.count) { p in fill(p) }
                } else {
                    fill(nil)
                }
            }
        } }
        self.packed = packed
        if layout == .tapOutputInput { self.packed = pack(weight, inputScale: styles) }
    }

    /// Given demodulation coefficients and no packed weight: the non-fused form, which scales by them in the
    /// epilogue.
    init(demodulation: [Float], inputs: Int, layout: Layout) {
        self.inputs = inputs; outputs = demodulation.count; self.layout = layout
        self.demodulation = demodulation
        packed = []
    }

    /// W alone in `layout`, neither modulated nor demodulated: the fixed weight of the non-fused form.
    static func unmodulated(_ weight: [Float], inputs: Int, outputs: Int, layout: Layout) -> [Float] {
        ModulatedWeight(demodulation: [Float](repeating: 1, count: outputs), inputs: inputs, layout: layout)
            .pack(weight, inputScale: nil)
    }

    /// W[o,i,t]·inputScale[i]·d[o] in `layout`; no input scale gives W·d, the shared weight of the non-fused
    /// form with its demodulation folded in.
    func pack(_ weight: [Float], inputScale: [Float]?) -> [Float] {
        if layout == .tapInputOutput {
            let styles = inputScale ?? [Float](repeating: 1, count: inputs)
            return weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
                demodulation.withUnsafeBufferPointer { d in
                    filledArray(count: weight.count) { p in
                        OutputBlock.forEach(w.baseAddress!, inputs: inputs, outputs: outputs, buffers: 1) { block in
                            block.storePacked(into: p, scale: s.baseAddress!,
                                              demodulation: SIMD8(loading: d.baseAddress! + block.first, count: block.lanes))
                        }
                    }
                }
            } }
        }
        // conv0's layout, [tap][outputs][inputs]: one output row at a time, lanes along the inputs.
        let taps = Self.taps, rowLength = inputs * taps, tapStride = inputs * outputs
        let styles = inputScale ?? [Float](repeating: 1, count: inputs)
        return weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            filledArray(count: weight.count) { p in
                forEachChunk(outputs) { o in
                    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: taps) { wv in
                        for i in stride(from: 0, to: inputs, by: 8) {
                            let lanes = min(8, inputs - i)
                            let k = SIMD8<Float>(repeating: demodulation[o]) * SIMD8(loading: s.baseAddress! + i, count: lanes)
                            loadTaps(w.baseAddress! + o * rowLength + i * taps, lanes: lanes, into: wv.baseAddress!)
                            for t in 0..<taps { (wv[t] * k).store(to: p + t * tapStride + o * inputs + i, count: lanes) }
                        }
                    }
                }
            }
        } }
    }

    /// From G2 = dL/dw2 (packed layout) to dL/ds and dL/dW (PyTorch layout):
    ///   t_o = Σ_i (Σ_t G2·W)·s_i,  G1 = d·G2 − d³·t_o·W·s_i,  ds_i = Σ_o Σ_t G1·W,  dW = G1·s_i
    /// Two sweeps per output row (t_o, then the rest), in parallel over rows; each row's terms of ds are kept
    /// and summed over o in order afterwards.
    func backward(_ g2: [Float], weight: [Float], styles: [Float]) -> (ds: [Float], dWeight: [Float]) {
        var dsTerms: [Float] = []
        let dWeight = g2.withUnsafeBufferPointer { g in weight.withUnsafeBufferPointer { w in
            styles.withUnsafeBufferPointer { s in demodulation.withUnsafeBufferPointer { d in
                filledArray(count: weight.count) { dw in
                    dsTerms = filledArray(count: outputs * inputs) { terms in
                        let operands = (g: g.baseAddress!, w: w.baseAddress!, s: s.baseAddress!, d: d.baseAddress!)
                        if layout == .tapInputOutput {
                            backwardAlongOutputs(operands, weightGradient: dw, dsTerms: terms)
                        } else {
                            backwardAlongInputs(operands, weightGradient: dw, dsTerms: terms)
                        }
                    }
                }
            } }
        } }
        var ds = [Float](repeating: 0, count: inputs)
        dsTerms.withUnsafeBufferPointer { terms in ds.withUnsafeMutableBufferPointer { ds in
            for o in 0..<outputs {
                for i in 0..<inputs { ds[i] += terms[o * inputs + i] }
            }
        } }
        return (ds, dWeight)
    }

    private typealias BackwardOperands = (g: UnsafePointer<Float>, w: UnsafePointer<Float>, s: UnsafePointer<Float>,
                                          d: UnsafePointer<Float>)

    /// conv1's layout, [tap][inputs][outputs]: eight output rows at a time in the lanes, G2 read along its
    /// contiguous outputs (kept for the second sweep), W and dW through the block's transposes.
    private func backwardAlongOutputs(_ x: BackwardOperands, weightGradient dw: UnsafeMutablePointer<Float>,
                                      dsTerms terms: UnsafeMutablePointer<Float>) {
        let taps = Self.taps, rowLength = inputs * taps
        OutputBlock.forEach(x.w, inputs: inputs, outputs: outputs, buffers: 2) { block in
            let w = block.rows, g = block.scratch, o = block.first, lanes = block.lanes
            var t = SIMD8<Float>()
            for i in 0..<inputs {
                var partial = SIMD8<Float>()
                for k in 0..<taps {
                    let gv = SIMD8<Float>(loading: x.g + (k * inputs + i) * outputs + o, count: lanes)
                    g[i * taps + k] = gv
                    partial += gv * w[i * taps + k]
                }
                t += partial * SIMD8(repeating: x.s[i])
            }
            let dv = SIMD8<Float>(loading: x.d + o, count: lanes), correction = dv * dv * dv * t
            for i in 0..<inputs {
                let sv = SIMD8<Float>(repeating: x.s[i])
                var term = SIMD8<Float>()
                for k in 0..<taps {
                    let j = i * taps + k
                    let g1 = dv * g[j] - correction * w[j] * sv
                    term += g1 * w[j]
                    w[j] = g1 * sv   // dW, in the block's lanes
                }
                term.scatter(to: terms + o * inputs + i, stride: inputs, count: lanes)
            }
            block.store(w, into: dw + o * rowLength)
        }
    }

    /// conv0's layout, [tap][outputs][inputs]: one output row at a time, eight inputs per lane, G2 read along
    /// its contiguous inputs, W and dW through `loadTaps` and `storeTaps`.
    private func backwardAlongInputs(_ x: BackwardOperands, weightGradient dw: UnsafeMutablePointer<Float>,
                                     dsTerms terms: UnsafeMutablePointer<Float>) {
        let taps = Self.taps, rowLength = inputs * taps, tapStride = inputs * outputs
        forEachChunk(outputs) { o in
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * taps) { scratch in
                let wv = scratch.baseAddress!, dWv = wv + taps
                let row = x.w + o * rowLength, dRow = dw + o * rowLength, gRow = x.g + o * inputs
                // t_o, the eight lanes' terms added one by one in input order.
                var t: Float = 0
                for i in stride(from: 0, to: inputs, by: 8) {
                    let lanes = min(8, inputs - i)
                    loadTaps(row + i * taps, lanes: lanes, into: wv)
                    var partial = SIMD8<Float>()
                    for k in 0..<taps { partial += SIMD8(loading: gRow + k * tapStride + i, count: lanes) * wv[k] }
                    let products = partial * SIMD8(loading: x.s + i, count: lanes)
                    for lane in 0..<lanes { t += products[lane] }
                }
                let dv = SIMD8<Float>(repeating: x.d[o]), correction = SIMD8<Float>(repeating: x.d[o] * x.d[o] * x.d[o] * t)
                for i in stride(from: 0, to: inputs, by: 8) {
                    let lanes = min(8, inputs - i), sv = SIMD8<Float>(loading: x.s + i, count: lanes)
                    loadTaps(row + i * taps, lanes: lanes, into: wv)
                    var term = SIMD8<Float>()
                    for k in 0..<taps {
                        let g1 = dv * SIMD8(loading: gRow + k * tapStride + i, count: lanes) - correction * wv[k] * sv
                        term += g1 * wv[k]
                        dWv[k] = g1 * sv
                    }
                    storeTaps(dWv, lanes: lanes, into: dRow + i * taps)
                    term.store(to: terms + o * inputs + i, count: lanes)
                }
            }
        }
    }
}

/// The nine taps of `lanes` (≤ 8) consecutive inputs of a W row (`source` at W[o][i][0]) as nine vectors along
/// the inputs: for eight inputs, taps 0–7 by an 8×8 register transpose and tap 8 by a gather.
@inline(__always)
private func loadTaps(_ source: UnsafePointer<Float>, lanes: Int, into taps: UnsafeMutablePointer<SIMD8<Float>>) {
    let count = ModulatedWeight.taps
    if lanes == 8 {
        transpose8x8(source, count, into: UnsafeMutableRawPointer(taps).assumingMemoryBound(to: Float.self), 8)
        taps[8] = SIMD8(gathering: source + 8, stride: count, count: 8)
    } else {
        for t in 0..<count { taps[t] = SIMD8(gathering: source + t, stride: count, count: lanes) }
    }
}

/// The inverse of `loadTaps`.
@inline(__always)
private func storeTaps(_ taps: UnsafePointer<SIMD8<Float>>, lanes: Int, into destination: UnsafeMutablePointer<Float>) {
    let count = ModulatedWeight.taps
    if lanes == 8 {
        transpose8x8(UnsafeRawPointer(taps).assumingMemoryBound(to: Float.self), 8, into: destination, count)
        taps[8].scatter(to: destination + 8, stride: count, count: 8)
    } else {
        for t in 0..<count { taps[t].scatter(to: destination + t, stride: count, count: lanes) }
    }
}

extension ModulatedWeight {
    /// conv1's w2 straight into its Winograd transforms, for a forward pass that keeps no packed weight
    /// (rendering): d, and U of the values `init(weight:styles:outputs:layout:)` packs, which are never
    /// written out. Outputs and inputs in whole vectors of 8.
    static func winogradForward(weight: [Float], styles: [Float], outputs: Int)
        -> (demodulation: [Float], weights: WinogradWeights) {
        let inputs = styles.count, taps = Self.taps, rowLength = inputs * taps
        var demodulation = [Float](repeating: 0, count: outputs)
        let u = weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            demodulation.withUnsafeMutableBufferPointer { d in
                WinogradWeights(inputChannels: inputs, outputChannels: outputs) { first, rows in
                    let block = OutputBlock(first: first, lanes: 8, outputs: outputs, rowLength: rowLength, rows: rows,
                                            scratch: rows)
                    block.load(w.baseAddress! + first * rowLength)
                    let dv = block.demodulation(styles: s.baseAddress!)
                    dv.store(to: d.baseAddress! + first, count: 8)
                    for i in 0..<inputs {
                        let k = SIMD8<Float>(repeating: s[i]) * dv
                        for t in 0..<taps { rows[i * taps + t] *= k }
                    }
                }
            }
        } }
        return (demodulation, u)
    }
}

/// Up to eight rows of W (outputs first..<first + lanes of [outputs][inputs·taps]) turned into lanes:
/// rows[j] holds W[first + lane][j], j = input·taps + tap. Whole blocks go through 8×8 register transposes,
/// a partial one (the last, when outputs is not a multiple of 8) through a gather per column.
private struct OutputBlock {
    let first: Int
    let lanes: Int
    let outputs: Int
    let rowLength: Int
    let rows: UnsafeMutablePointer<SIMD8<Float>>
    /// `buffers` − 1 more arrays of rowLength vectors, for the caller.
    let scratch: UnsafeMutablePointer<SIMD8<Float>>

    /// `body` for every block of W, in parallel, each thread taking runs of consecutive blocks.
    static func forEach(_ weight: UnsafePointer<Float>, inputs: Int, outputs: Int, buffers: Int,
                        _ body: (OutputBlock) -> Void) {
        let rowLength = inputs * ModulatedWeight.taps, blocks = (outputs + 7) / 8
        let chunks = min(blocks, 4 * Parallel.threadCount)
        Parallel.forEach(chunks) { chunk in
            let buffer = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: buffers * rowLength)
            defer { buffer.deallocate() }
            for index in (blocks * chunk / chunks)..<(blocks * (chunk + 1) / chunks) {
                let block = OutputBlock(first: 8 * index, lanes: min(8, outputs - 8 * index), outputs: outputs, rowLength: rowLength,
                                        rows: buffer, scratch: buffer + rowLength)
                block.load(weight + block.first * rowLength)
                body(block)
            }
        }
    }

    fileprivate func load(_ source: UnsafePointer<Float>) {
        let flat = UnsafeMutableRawPointer(rows).assumingMemoryBound(to: Float.self)
        var j = 0
        if lanes == 8 {
            while j + 8 <= rowLength { transpose8x8(source + j, rowLength, into: flat + 8 * j, 8); j += 8 }
        }
        for column in j..<rowLength { rows[column] = SIMD8(gathering: source + column, stride: rowLength, count: lanes) }
    }

    /// The inverse of `load`: vectors[j][lane] to destination[lane·rowLength + j].
    func store(_ vectors: UnsafePointer<SIMD8<Float>>, into destination: UnsafeMutablePointer<Float>) {
        let flat = UnsafeRawPointer(vectors).assumingMemoryBound(to: Float.self)
        var j = 0
        if lanes == 8 {
            while j + 8 <= rowLength { transpose8x8(flat + 8 * j, 8, into: destination + j, rowLength); j += 8 }
        }
        for column in j..<rowLength { vectors[column].scatter(to: destination + column, stride: rowLength, count: lanes) }
    }

    /// d for the block's outputs: rsqrt(Σ_{i,t} (W·styles[i])² + 1e-8), summed over inputs, then taps.
    func demodulation(styles s: UnsafePointer<Float>) -> SIMD8<Float> {
        let taps = ModulatedWeight.taps, inputs = rowLength / taps
        var sum = SIMD8<Float>()
        for i in 0..<inputs {
            let si = SIMD8<Float>(repeating: s[i])
            for t in 0..<taps {
                let v = rows[i * taps + t] * si
                sum += v * v
            }
        }
        return 1 / (sum + 1e-8).squareRoot()
    }

    /// The block's columns of conv1's packed weight ([tap][inputs][outputs]): W·scale[i]·demodulation.
    func storePacked(into packed: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>, demodulation: SIMD8<Float>) {
        let taps = ModulatedWeight.taps, inputs = rowLength / taps
        for i in 0..<inputs {
            let k = SIMD8<Float>(repeating: scale[i]) * demodulation
            for t in 0..<taps {
                (rows[i * taps + t] * k).store(to: packed + (t * inputs + i) * outputs + first, count: lanes)
            }
        }
    }
}

/// `body(index)` for every index in 0..<count, in parallel, each thread taking runs of consecutive indices
/// (neighbouring weight rows share cache lines).
private func forEachChunk(_ count: Int, _ body: (Int) -> Void) {
    let chunks = min(count, 4 * Parallel.threadCount)
    Parallel.forEach(chunks) { chunk in
        for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) { body(index) }
    }
}
