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

    /// Position of w2[o, i, tap] in `packed`.
    @inline(__always) func index(_ o: Int, _ i: Int, _ t: Int) -> Int {
        layout == .tapInputOutput ? (t * inputs + i) * outputs + o : (t * outputs + o) * inputs + i
    }

    init(weight: [Float], styles s: [Float], outputs: Int, layout: Layout) {
        let inputs = s.count, taps = Self.taps
        self.inputs = inputs; self.outputs = outputs; self.layout = layout
        demodulation = [Float](repeating: 1, count: outputs)
        packed = [Float](repeating: 0, count: weight.count)
        for o in 0..<outputs {
            var sum: Float = 0
            for i in 0..<inputs { for t in 0..<taps { let v = weight[(o * inputs + i) * taps + t] * s[i]; sum += v * v } }
            let d = 1 / (sum + 1e-8).squareRoot()
            demodulation[o] = d
            for i in 0..<inputs { for t in 0..<taps { packed[index(o, i, t)] = weight[(o * inputs + i) * taps + t] * s[i] * d } }
        }
    }

    /// From G2 = dL/dw2 (packed layout) to dL/ds and dL/dW (PyTorch layout):
    ///   t_o = Σ G2·w1,  G1 = d·G2 − d³·t_o·w1,  ds_i = Σ_{o,t} G1·W,  dW = G1·s_i
    func backward(_ g2: [Float], weight: [Float], styles s: [Float]) -> (ds: [Float], dWeight: [Float]) {
        let taps = Self.taps
        var ds = [Float](repeating: 0, count: inputs), dWeight = [Float](repeating: 0, count: weight.count)
        for o in 0..<outputs {
            let d = demodulation[o]
            var t: Float = 0
            for i in 0..<inputs { for k in 0..<taps { t += g2[index(o, i, k)] * weight[(o * inputs + i) * taps + k] * s[i] } }
            let correction = d * d * d * t
            for i in 0..<inputs { for k in 0..<taps {
                let w = (o * inputs + i) * taps + k
                let g1 = d * g2[index(o, i, k)] - correction * weight[w] * s[i]
                ds[i] += g1 * weight[w]
                dWeight[w] = g1 * s[i]
            } }
        }
        return (ds, dWeight)
    }
}
