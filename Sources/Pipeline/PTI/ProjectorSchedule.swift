import Foundation

/// The StyleGAN2 projector's per-step schedules as PTI runs them (specs/pti.md §3.1–3.2):
/// learning rate with a linear ramp-up and a cosine ramp-down, and a quadratically vanishing w-noise.
public struct ProjectorSchedule: Sendable, Equatable {
    public var steps: Int
    public var initialLearningRate: Double = 0.01      // PTI; NVlabs' projector uses 0.1
    public var initialNoiseFactor: Double = 0.05
    public var learningRateRampUp: Double = 0.05
    public var learningRateRampDown: Double = 0.25
    public var noiseRampLength: Double = 0.75

    public init(steps: Int) { self.steps = steps }

    /// Adam's learning rate at `step` (0-based): 0 at step 0, peak from t = 0.05 to t = 0.75, cosine to ~0.
    public func learningRate(step: Int) -> Double {
        let t = Double(step) / Double(steps)
        var ramp = min(1, (1 - t) / learningRateRampDown)
        ramp = 0.5 - 0.5 * cos(Double.pi * ramp)
        ramp *= min(1, t / learningRateRampUp)
        return initialLearningRate * ramp
    }

    /// Standard deviation of the Gaussian added to w at `step`, given the scalar w_std of the mapped samples.
    public func wNoiseScale(step: Int, wStd: Double) -> Double {
        let t = Double(step) / Double(steps)
        let remaining = max(0, 1 - t / noiseRampLength)
        return wStd * initialNoiseFactor * remaining * remaining
    }
}
