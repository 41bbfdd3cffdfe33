import SIMDKernels

/// Scalar Double reference of `BiasAct` (NVlabs `bias_act` after `x·d + noise`), forward and backward.
public struct BiasActReference {
    public var shape: NHWCShape
    public var leakyReLU: Bool
    public var gain: Double
    public var clamp: Double?
    public var noisePerImage: Bool

    /// Every operand as a flat list; absent ones are nil.
    public struct Values {
        public var x: [Double]
        public var scale: [Double]?
        public var bias: [Double]?
        public var noise: [Double]?
        public var strength: Double
        public init(x: [Double], scale: [Double]?, bias: [Double]?, noise: [Double]?, strength: Double) {
            self.x = x
            self.scale = scale
            self.bias = bias
            self.noise = noise
            self.strength = strength
        }
    }

    public init(shape: NHWCShape, leakyReLU: Bool, gain: Double, clamp: Double?, noisePerImage: Bool) {
        self.shape = shape
        self.leakyReLU = leakyReLU
        self.gain = gain
        self.clamp = clamp
        self.noisePerImage = noisePerImage
    }

    private func preActivation(_ v: Values, _ n: Int, _ p: Int, _ c: Int) -> Double {
        let x = v.x[(n * shape.pixels + p) * shape.channels + c]
        var pre = x * (v.scale?[n * shape.channels + c] ?? 1)
        if let noise = v.noise { pre += noise[noiseIndex(n, p)] * v.strength }
        return pre + (v.bias?[c] ?? 0)
    }

    private func noiseIndex(_ n: Int, _ p: Int) -> Int { noisePerImage ? n * shape.pixels + p : p }

    public func forward(_ v: Values) -> [Double] {
        var y = [Double](repeating: 0, count: shape.count)
        for n in 0..<shape.batch { for p in 0..<shape.pixels { for c in 0..<shape.channels {
            let pre = preActivation(v, n, p, c)
            var out = (leakyReLU && pre <= 0 ? 0.2 * pre : pre) * gain
            if let clamp { out = min(max(out, -clamp), clamp) }
            y[(n * shape.pixels + p) * shape.channels + c] = out
        } } }
        return y
    }

    /// The same flat layout as `Values`, holding dL/d(each operand).
    public func backward(_ v: Values, gradOutput dy: [Double]) -> Values {
        var g = Values(x: .init(repeating: 0, count: v.x.count), scale: v.scale.map { _ in .init(repeating: 0, count: shape.batch * shape.channels) },
                       bias: v.bias.map { $0.map { _ in 0 } }, noise: v.noise.map { $0.map { _ in 0 } }, strength: 0)
        for n in 0..<shape.batch { for p in 0..<shape.pixels { for c in 0..<shape.channels {
            let i = (n * shape.pixels + p) * shape.channels + c
            let pre = preActivation(v, n, p, c)
            let slope = leakyReLU && pre <= 0 ? 0.2 : 1
            let unclamped = (leakyReLU && pre <= 0 ? 0.2 * pre : pre) * gain
            let passes = clamp.map { -$0 <= unclamped && unclamped <= $0 } ?? true
            let dPre = passes ? dy[i] * gain * slope : 0
            g.x[i] = dPre * (v.scale?[n * shape.channels + c] ?? 1)
            g.scale?[n * shape.channels + c] += dPre * v.x[i]
            g.bias?[c] += dPre
            if let noise = v.noise {
                g.noise?[noiseIndex(n, p)] += dPre * v.strength
                g.strength += dPre * noise[noiseIndex(n, p)]
            }
        } } }
        return g
    }
}
