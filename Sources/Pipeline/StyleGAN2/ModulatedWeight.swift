import SIMDKernels

/// Fused modulation and demodulation of one sample (stylegan2.md §5.4, backward §6 item 5):
///   w1[o,i,t] = W[o,i,t]·s[i],  d[o] = rsqrt(Σ_{i,t} w1² + 1e-8),  w2 = w1·d[o]
/// `packed` holds w2 in the convolution's weight layout.
///
/// W is [outputs][inputs][taps] (PyTorch) and the packed layouts are tap-major, so every loop here is a
/// transpose: eight lanes run along one channel dimension and the other layout is read or written with
/// strided gathers and scatters. Each lane's arithmetic, sums included, is done in the order of the plain
/// scalar formulas, so the results are those of the scalar loops bit for bit.
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
        let inputs = styles.count, taps = Self.taps
        self.inputs = inputs; self.outputs = outputs; self.layout = layout
        // Lanes are eight outputs; each sums its own row of W in order.
        demodulation = weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            filledArray(count: outputs) { d in
                Parallel.forEach((outputs + 7) / 8) { block in
                    let o = 8 * block, lanes = min(8, outputs - o)
                    let rows = w.baseAddress! + o * inputs * taps
                    var sum = SIMD8<Float>()
                    for i in 0..<inputs {
                        let si = SIMD8<Float>(repeating: s[i])
                        for t in 0..<taps {
                            let v = SIMD8<Float>(gathering: rows + i * taps + t, stride: inputs * taps, count: lanes) * si
                            sum += v * v
                        }
                    }
                    (1 / (sum + 1e-8).squareRoot()).store(to: d + o, count: lanes)
                }
            }
        } }
        packed = []
        packed = pack(weight, inputScale: styles)
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
        let taps = Self.taps, (st, si, so) = strides
        // Lanes run along whichever of inputs/outputs the packed layout keeps contiguous; the other is the
        // outer loop, and W is gathered across its rows (outputs) or taps (inputs).
        let lanesAreOutputs = so == 1
        let (outer, inner) = lanesAreOutputs ? (inputs, outputs) : (outputs, inputs)
        let (outerStride, laneStride) = lanesAreOutputs ? (taps, inputs * taps) : (inputs * taps, taps)
        let packedOuterStride = lanesAreOutputs ? si : so
        let styles = inputScale ?? [Float](repeating: 1, count: inputs)
        // s[i]·d[o]: one factor is broadcast from the outer index, the other loaded along the lanes.
        let (outerScale, laneScale) = lanesAreOutputs ? (styles, demodulation) : (demodulation, styles)
        return weight.withUnsafeBufferPointer { w in outerScale.withUnsafeBufferPointer { outerScale in
            laneScale.withUnsafeBufferPointer { laneScale in
                filledArray(count: weight.count) { p in
                    forEachChunk(outer) { a in
                        for b in stride(from: 0, to: inner, by: 8) {
                            let lanes = min(8, inner - b)
                            let k = SIMD8<Float>(repeating: outerScale[a]) * SIMD8(loading: laneScale.baseAddress! + b, count: lanes)
                            let source = w.baseAddress! + a * outerStride + b * laneStride
                            for t in 0..<taps {
                                (SIMD8<Float>(gathering: source + t, stride: laneStride, count: lanes) * k)
                                    .store(to: p + t * st + a * packedOuterStride + b, count: lanes)
                            }
                        }
                    }
                }
            }
        } }
    }

    /// From G2 = dL/dw2 (packed layout) to dL/ds and dL/dW (PyTorch layout):
    ///   t_o = Σ_i (Σ_t G2·W)·s_i,  G1 = d·G2 − d³·t_o·W·s_i,  ds_i = Σ_o Σ_t G1·W,  dW = G1·s_i
    /// One output row at a time (its W, G2 and dW rows stay in cache between the two sweeps), eight inputs
    /// per lane. Rows run in parallel; each row's terms of ds are kept and summed over o in order afterwards.
    func backward(_ g2: [Float], weight: [Float], styles: [Float]) -> (ds: [Float], dWeight: [Float]) {
        let taps = Self.taps, (st, si, so) = strides, rowLength = inputs * taps
        var dsTerms: [Float] = []
        let dWeight = g2.withUnsafeBufferPointer { g in weight.withUnsafeBufferPointer { w in
            styles.withUnsafeBufferPointer { s in demodulation.withUnsafeBufferPointer { d in
                filledArray(count: weight.count) { dw in
                    dsTerms = filledArray(count: outputs * inputs) { terms in
                        let s = s.baseAddress!
                        forEachChunk(outputs) { o in
                            let row = w.baseAddress! + o * rowLength, dRow = dw + o * rowLength
                            let gRow = g.baseAddress! + o * so
                            // t_o, the eight lanes' terms added one by one in input order.
                            var t: Float = 0
                            for i in stride(from: 0, to: inputs, by: 8) {
                                let lanes = min(8, inputs - i)
                                var partial = SIMD8<Float>()
                                for k in 0..<taps {
                                    partial += SIMD8(gathering: gRow + k * st + i * si, stride: si, count: lanes)
                                        * SIMD8(gathering: row + i * taps + k, stride: taps, count: lanes)
                                }
                                let products = partial * SIMD8(loading: s + i, count: lanes)
                                for lane in 0..<lanes { t += products[lane] }
                            }
                            let dv = SIMD8<Float>(repeating: d[o]), correction = SIMD8<Float>(repeating: d[o] * d[o] * d[o] * t)
                            for i in stride(from: 0, to: inputs, by: 8) {
                                let lanes = min(8, inputs - i), sv = SIMD8<Float>(loading: s + i, count: lanes)
                                var term = SIMD8<Float>()
                                for k in 0..<taps {
                                    let wv = SIMD8<Float>(gathering: row + i * taps + k, stride: taps, count: lanes)
                                    let g1 = dv * SIMD8(gathering: gRow + k * st + i * si, stride: si, count: lanes)
                                        - correction * wv * sv
                                    term += g1 * wv
                                    (g1 * sv).scatter(to: dRow + i * taps + k, stride: taps, count: lanes)
                                }
                                term.store(to: terms + o * inputs + i, count: lanes)
                            }
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
}

/// `body(index)` for every index in 0..<count, in parallel, each thread taking runs of consecutive indices
/// (neighbouring weight rows share cache lines).
private func forEachChunk(_ count: Int, _ body: (Int) -> Void) {
    let chunks = min(count, 4 * Parallel.threadCount)
    Parallel.forEach(chunks) { chunk in
        for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) { body(index) }
    }
}
