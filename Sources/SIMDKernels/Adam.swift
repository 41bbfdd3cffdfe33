/// `torch.optim.Adam` (no weight decay, no amsgrad), the single-tensor CPU update, vectorised. Per element:
///
///     m = m + (1 − β₁)·(g − m)                      (exp_avg.lerp_)
///     v = v·β₂ + (1 − β₂)·g·g                       (mul_, addcmul_)
///     p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// with the scalar factors computed in Double and rounded once, as Python floats are.
public struct Adam: Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Step number `step` (1 for the first step) on `count` parameters; `firstMoment` and `secondMoment`
    /// start at zero and are updated in place with `parameters`.
    public func update(step: Int, parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                       firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>, count: Int) {
        let t = Double(step)
        let mWeight = SIMD8<Float>(repeating: Float(1 - beta1))
        let vDecay = SIMD8<Float>(repeating: Float(beta2)), vWeight = SIMD8<Float>(repeating: Float(1 - beta2))
        let stepSize = SIMD8<Float>(repeating: Float(learningRate / (1 - pow(beta1, t))))
        let correction2 = SIMD8<Float>(repeating: Float((1 - pow(beta2, t)).squareRoot()))
        let eps = SIMD8<Float>(repeating: Float(epsilon))
        Parallel.forEachRange(count) { range in
            for i in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
                let lanes = min(8, range.upperBound - i)
                let g = SIMD8<Float>(loading: gradients + i, count: lanes)
                var m = SIMD8<Float>(loading: firstMoment + i, count: lanes)
                var v = SIMD8<Float>(loading: secondMoment + i, count: lanes)
                m += mWeight * (g - m)
                v = v * vDecay + vWeight * g * g
                let p = SIMD8<Float>(loading: parameters + i, count: lanes) - stepSize * (m / (v.squareRoot() / correction2 + eps))
                m.store(to: firstMoment + i, count: lanes)
                v.store(to: secondMoment + i, count: lanes)
                p.store(to: parameters + i, count: lanes)
            }
        }
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        // Integer powers by repeated squaring (the stdlib has no pow without Foundation).
        var result = 1.0, factor = base, n = Int(exponent)
        while n > 0 {
            if n & 1 == 1 { result *= factor }
            factor *= factor
            n >>= 1
        }
        return result
    }
}
