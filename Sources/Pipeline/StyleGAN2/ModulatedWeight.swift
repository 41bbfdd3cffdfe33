/// Fused modulation and demodulation of one sample (stylegan2.md §5.4, backward §6 item 5):
///   w1[o,i,t] = W[o,i,t]·s[i],  d[o] = rsqrt(Σ_{i,t} w1² + 1e-8),  w2 = w1·d[o]
/// `packed` holds w2 in the convolution's weight layout.
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
        var d = [Float](repeating: 1, count: outputs)
        weight.withUnsafeBufferPointer { w in styles.withUnsafeBufferPointer { s in
            for o in 0..<outputs {
                let row = w.baseAddress! + o * inputs * taps
                var sum: Float = 0
                for i in 0..<inputs {
                    for t in 0..<taps { let v = row[i * taps + t] * s[i]; sum += v * v }
                }
                d[o] = 1 / (sum + 1e-8).squareRoot()
            }
        } }
        demodulation = d
        packed = []
        packed = pack(weight, inputScale: styles)
    }

    /// W[o,i,t]·inputScale[i]·d[o] in `layout`; no input scale gives W·d, the shared weight of the non-fused
    /// form with its demodulation folded in.
    func pack(_ weight: [Float], inputScale: [Float]?) -> [Float] {
        let taps = Self.taps, (st, si, so) = strides
        var packed = [Float](repeating: 0, count: weight.count)
        weight.withUnsafeBufferPointer { w in packed.withUnsafeMutableBufferPointer { p in
            for o in 0..<outputs {
                let row = w.baseAddress! + o * inputs * taps
                for i in 0..<inputs {
                    let k = (inputScale?[i] ?? 1) * demodulation[o]
                    for t in 0..<taps { p[t * st + i * si + o * so] = row[i * taps + t] * k }
                }
            }
        } }
        return packed
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
