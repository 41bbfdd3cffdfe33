/// Mapping network and truncation (stylegan2.md §4): z → w, then ws = lerp(w_avg, w, psi) per slot.
public struct MappingNetwork: Sendable {
    public struct Layer: Sendable {
        /// [out][in], stored (effective weight = stored · 0.01/√in)
        public var weight: [Float]
        public var bias: [Float]
    }

    public var layers: [Layer]
    /// mapping.w_avg (a buffer; the truncation centre).
    public var wAvg: [Float]
    public let zDim: Int

    public var wDim: Int { wAvg.count }

    /// normalize_2nd_moment(z), then FC layers with lr 0.01 and lrelu·√2.
    public func callAsFunction(_ z: [Float]) -> [Float] {
        precondition(z.count == zDim, "z must have \(zDim) values")
        let meanSquare = z.reduce(0) { $0 + $1 * $1 } / Float(z.count)
        var x = z.map { $0 * (1 / (meanSquare + 1e-8).squareRoot()) }
        let gain = Float(2.0.squareRoot())
        for layer in layers {
            let inputs = x.count, weightGain = Float(0.01 / Double(inputs).squareRoot())
            x = layer.weight.withUnsafeBufferPointer { w in
                x.withUnsafeBufferPointer { xp in
                    layer.bias.indices.map { o in
                        let v = dot(w.baseAddress! + o * inputs, xp.baseAddress!, inputs) * weightGain + layer.bias[o] * 0.01
                        return (v > 0 ? v : 0.2 * v) * gain
                    }
                }
            }
        }
        return x
    }

    /// `count` rows of w, truncated towards w_avg by psi on every slot (cutoff nil) or the first `cutoff`.
    public func truncate(_ w: [Float], psi: Float, cutoff: Int? = nil, count: Int) -> [[Float]] {
        (0..<count).map { slot in
            guard psi != 1, slot < (cutoff ?? count) else { return w }
            return zip(wAvg, w).map { a, v in a + psi * (v - a) }
        }
    }
}
