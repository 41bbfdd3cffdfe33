/// The projector's starting point and step scale (specs/pti.md §3.2 step 2): the mean of `samples` mapped
/// latents and one scalar spread, from `numpy.random.RandomState(seed).randn(samples, zDim)` as PTI draws them.
/// This is deliberately not `mapping.w_avg` (PTI quirk 3).
public struct WStatistics: Sendable, Equatable {
    /// w_avg, wDim values.
    public let mean: [Float]
    /// `sqrt(Σ_{n,j} (w − w_avg)² / samples)`: the square root of the covariance's trace.
    public let standardDeviation: Double

    public static let ptiSamples = 600
    public static let ptiSeed: UInt32 = 123

    public init(mapping: MappingNetwork, samples: Int = ptiSamples, seed: UInt32 = ptiSeed) {
        precondition(samples > 0, "WStatistics needs at least one sample")
        var rng = NumpyRandomState(seed: seed)
        let ws = (0..<samples).map { _ in mapping(rng.gaussians(mapping.zDim).map { Float($0) }) }
        var mean = [Double](repeating: 0, count: mapping.wDim)
        for w in ws { for j in mean.indices { mean[j] += Double(w[j]) } }
        for j in mean.indices { mean[j] /= Double(samples) }
        let meanFloat = mean.map { Float($0) }
        var squares = 0.0
        for w in ws {
            for j in mean.indices {
                let d = Double(w[j] - meanFloat[j])
                squares += d * d
            }
        }
        self.mean = meanFloat
        standardDeviation = (squares / Double(samples)).squareRoot()
    }
}
