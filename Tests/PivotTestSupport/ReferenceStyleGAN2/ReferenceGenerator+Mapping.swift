/// Mapping network and truncation (stylegan2.md §4). No backward: PTI optimises ws, never z.
extension ReferenceGenerator {
    /// z [zDim] -> w [wDim]: normalize_2nd_moment, then `mappingLayers` FC layers (lr 0.01, lrelu·√2).
    public func mapping(z: [Double]) -> [Double] {
        let meanSquare = z.reduce(0) { $0 + $1 * $1 } / Double(z.count)
        var x = z.map { $0 / (meanSquare + 1e-8).squareRoot() }
        for layer in 0..<config.mappingLayers {
            let weight = tensor("mapping.fc\(layer).weight"), bias = tensor("mapping.fc\(layer).bias")
            let inputs = x.count, outputs = bias.count
            let weightGain = 0.01 / Double(inputs).squareRoot()
            x = (0..<outputs).map { o in
                var acc = 0.0
                for i in 0..<inputs { acc += x[i] * weight[o * inputs + i] }
                let v = acc * weightGain + bias[o] * 0.01
                return (v > 0 ? v : 0.2 * v) * 2.0.squareRoot()
            }
        }
        return x
    }

    /// w -> ws [numWs][wDim], lerp(w_avg, w, psi) on every slot (cutoff nil) or the first `cutoff` slots.
    public func truncate(_ w: [Double], psi: Double, cutoff: Int? = nil) -> [[Double]] {
        let average = tensor("mapping.w_avg")
        return (0..<config.numWs).map { slot in
            guard psi != 1, slot < (cutoff ?? config.numWs) else { return w }
            return zip(average, w).map { a, v in a + psi * (v - a) }
        }
    }
}
