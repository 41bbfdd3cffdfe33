/// The layer epilogue (stylegan2.md §3.2, §5.3): v = conv + noise·strength + bias; lrelu(v)·√2; clamp ±c.
/// Its backward works from the saved output y (the CUDA path's rule): y > 0 ⇔ v > 0, and |y| ≥ c means
/// clamped. That differs from autograd only where v is exactly ±c.
extension SynthesisLayer {
    static let activationGain = Float(2.0.squareRoot())

    func applyActivation(_ y: inout FeatureMap, noise: [Float]?, clamp: Float?) {
        let r = resolution, c = outputs, strength = noiseStrength[0]
        let limit = clamp ?? .infinity, gain = Self.activationGain
        y.values.withUnsafeMutableBufferPointer { v in
            for h in 0..<r { for w in 0..<r {
                let base = (h * r + w) * c, added = noise.map { $0[h * r + w] * strength } ?? 0
                for o in 0..<c {
                    let pre = v[base + o] + added + bias[o]
                    v[base + o] = min(max((pre > 0 ? pre : 0.2 * pre) * gain, -limit), limit)
                }
            } }
        }
    }

    /// dL/d(conv output) and dL/d(noise map) (nil without noise) from dL/d(layer output); the bias and
    /// noise-strength gradients go to `grads`.
    func activationBackward(_ dy: FeatureMap, _ saved: Saved, clamp: Float?,
                            grads: inout SynthesisLayer?) -> (FeatureMap, [Float]?) {
        let r = resolution, c = outputs, y = saved.output
        let limit = clamp ?? .infinity, gain = Self.activationGain
        var g = FeatureMap(size: r, channels: c)
        var dBias = [Float](repeating: 0, count: c), dNoise = [Float](repeating: 0, count: r * r)
        for h in 0..<r { for w in 0..<r {
            let base = (h * r + w) * c
            var pixel: Float = 0
            for o in 0..<c {
                let out = y.values[base + o]
                let d = abs(out) >= limit ? 0 : dy.values[base + o] * gain * (out > 0 ? 1 : 0.2)
                g.values[base + o] = d
                dBias[o] += d
                pixel += d
            }
            dNoise[h * r + w] = pixel
        } }
        if grads != nil {
            add(dBias, to: &grads!.bias)
            if let map = saved.noise {
                var dStrength: Float = 0
                for p in map.indices { dStrength += dNoise[p] * map[p] }
                grads!.noiseStrength[0] += dStrength
            }
        }
        return (g, saved.noise.map { _ in dNoise.map { $0 * noiseStrength[0] } })
    }
}
