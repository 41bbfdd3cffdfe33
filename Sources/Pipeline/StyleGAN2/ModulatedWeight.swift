import SIMDKernels

/// Fused modulation and demodulation of one sample (stylegan2.md §5.4, backward §6 item 5):
///   w1[o,i,t] = W[o,i,t]·s[i],  d[o] = rsqrt(Σ_{i,t} w1² + 1e-8),  w2 = w1·d[o]
/// `packed` holds w2 in the convolution's weight layout.
///
/// W is [outputs][inputs][taps] (PyTorch) and the packed layouts are tap-major, so every loop here is a
/// transpose. Each one runs eight lanes along a dimension that is contiguous in the layout it writes (or,
/// for a sum over the other dimensions, along the dimension it keeps), reads the other layout with strided
/// gathers, and keeps each lane's arithmetic in the order of the plain scalar formula above.
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
        // Lanes are eight outputs; each sums its own row in order.
        demodulation = weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            filledArray(count: outputs) { d in
                Parallel.forEach(blockCount(outputs)) { block in
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

    /// W[o,i,t]·inputScale[i]·d[o] in `layout`; no input scale gives W·d, the shared weight of the non-fused
    /// form with its demodulation folded in.
    func pack(_ weight: [Float], inputScale: [Float]?) -> [Float] {
        let taps = Self.taps, (st, si, so) = strides
        // Lanes run along whichever of inputs/outputs is contiguous in the packed layout.
        let alongOutputs = so == 1
        let (outer, inner) = alongOutputs ? (inputs, outputs) : (outputs, inputs)
        let (outerStride, innerStride) = alongOutputs ? (taps, inputs * taps) : (inputs * taps, taps)
        let packedOuterStride = alongOutputs ? si : so
        return weight.withUnsafeBufferPointer { w in demodulation.withUnsafeBufferPointer { d in
            (inputScale ?? []).withUnsafeBufferPointer { s in
                filledArray(count: weight.count) { p in
                    // s[i]·d[o] per lane: the same product, in the same order, as the scalar formula.
                    func scale(outer a: Int, inner b: Int, lanes: Int) -> SIMD8<Float> {
                        let styles = inputScale == nil ? SIMD8(repeating: 1)
                            : alongOutputs ? SIMD8(repeating: s[a]) : SIMD8(loading: s.baseAddress! + b, count: lanes)
                        return styles * (alongOutputs ? SIMD8(loading: d.baseAddress! + b, count: lanes) : SIMD8(repeating: d[a]))
                    }
                    Parallel.forEach(outer) { a in
                        for b in stride(from: 0, to: inner, by: 8) {
                            let lanes = min(8, inner - b), k = scale(outer: a, inner: b, lanes: lanes)
                            let source = w.baseAddress! + a * outerStride + b * innerStride
                            for t in 0..<taps {
                                (SIMD8<Float>(gathering: source + t, stride: innerStride, count: lanes) * k)
                                    .store(to: p + t * st + a * packedOuterStride + b, count: lanes)
                            }
                        }
                    }
                }
            }
        } }
    }

    /// From G2 = dL/dw2 (packed layout) to dL/ds and dL/dW (PyTorch layout):
    ///   t_o = Σ G2·w1,  G1 = d·G2 − d³·t_o·w1,  ds_i = Σ_{o,t} G1·W,  dW = G1·s_i
    func backward(_ g2: [Float], weight: [Float], styles: [Float]) -> (ds: [Float], dWeight: [Float]) {
        let taps = Self.taps, (st, si, so) = strides
        var ds = [Float](repeating: 0, count: inputs), dWeight = [Float](repeating: 0, count: weight.count)
        g2.withUnsafeBufferPointer { g in weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            ds.withUnsafeMutableBufferPointer { ds in dWeight.withUnsafeMutableBufferPointer { dw in
                for o in 0..<outputs {
                    let d = demodulation[o], row = w.baseAddress! + o * inputs * taps, dRow = dw.baseAddress! + o * inputs * taps
                    var t: Float = 0
                    for i in 0..<inputs {
                        var partial: Float = 0
                        for k in 0..<taps { partial += g[k * st + i * si + o * so] * row[i * taps + k] }
                        t += partial * s[i]
                    }
                    let correction = d * d * d * t
                    for i in 0..<inputs {
                        var dsi: Float = 0
                        for k in 0..<taps {
                            let g1 = d * g[k * st + i * si + o * so] - correction * row[i * taps + k] * s[i]
                            dsi += g1 * row[i * taps + k]
                            dRow[i * taps + k] = g1 * s[i]
                        }
                        ds[i] += dsi
                    }
                }
            } }
        } } }
        return (ds, dWeight)
    }
}

/// Eight-lane blocks covering `count`.
private func blockCount(_ count: Int) -> Int { (count + 7) / 8 }

/// An array of `count` floats, every one written by `fill` (no zero-filling first).
func filledArray(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    guard count > 0 else { return [] }
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(buffer.baseAddress!)
        initialized = count
    }
}
