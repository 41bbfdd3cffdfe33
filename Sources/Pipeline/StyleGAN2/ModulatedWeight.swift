/// Fused modulation and demodulation of one sample (stylegan2.md §5.4, backward §6 item 5):
///   w1[o,i,t] = W[o,i,t]·s[i],  d[o] = rsqrt(Σ_{i,t} w1² + 1e-8),  w2 = w1·d[o]
/// `packed` holds w2 as the GEMM's B operand, [tap][inputs][outputs].
struct ModulatedWeight {
    let inputs: Int
    let outputs: Int
    let taps: Int
    var demodulation: [Float]
    var packed: [Float]

    init(weight: [Float], styles s: [Float], outputs: Int) {
        let inputs = s.count, taps = weight.count / (outputs * inputs)
        self.inputs = inputs; self.outputs = outputs; self.taps = taps
        var d = [Float](repeating: 1, count: outputs)
        var packed = [Float](repeating: 0, count: weight.count)
        weight.withUnsafeBufferPointer { w in
            for o in 0..<outputs {
                var sum: Float = 0
                for i in 0..<inputs { for t in 0..<taps { let v = w[(o * inputs + i) * taps + t] * s[i]; sum += v * v } }
                d[o] = 1 / (sum + 1e-8).squareRoot()
                for i in 0..<inputs { for t in 0..<taps {
                    packed[(t * inputs + i) * outputs + o] = w[(o * inputs + i) * taps + t] * s[i] * d[o]
                } }
            }
        }
        demodulation = d
        self.packed = packed
    }

    /// From G2 = dL/dw2 (packed layout) to dL/ds and dL/dW (PyTorch layout):
    ///   t_o = Σ G2·w1,  G1 = d·G2 − d³·t_o·w1,  ds_i = Σ_{o,t} G1·W,  dW = G1·s_i
    func backward(_ g2: [Float], weight: [Float], styles s: [Float]) -> (ds: [Float], dWeight: [Float]) {
        var ds = [Float](repeating: 0, count: inputs), dWeight = [Float](repeating: 0, count: weight.count)
        let p = inputs * outputs
        for o in 0..<outputs {
            let d = demodulation[o]
            var t: Float = 0
            for i in 0..<inputs { for k in 0..<taps {
                t += g2[k * p + i * outputs + o] * weight[(o * inputs + i) * taps + k] * s[i]
            } }
            let correction = d * d * d * t
            for i in 0..<inputs { for k in 0..<taps {
                let index = (o * inputs + i) * taps + k
                let g1 = d * g2[k * p + i * outputs + o] - correction * weight[index] * s[i]
                ds[i] += g1 * weight[index]
                dWeight[index] = g1 * s[i]
            } }
        }
        return (ds, dWeight)
    }
}
