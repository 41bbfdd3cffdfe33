import Pipeline
import PivotTestSupport

/// A tiny random LPIPS network that exercises every layer kind: an RGB 3×3 pad 1 conv, a strided 5×5,
/// a 1×1, 2×2/2 and 3×3/2 max pools, and three taps; with both the fast model and the oracle built from it.
struct TinyTrunk {
    static let architecture = LPIPSArchitecture(name: "tiny", convolutions: [
        .init(featureIndex: 0, inputChannels: 3, outputChannels: 5, kernel: 3, padding: 1, isTap: true),
        .init(featureIndex: 1, inputChannels: 5, outputChannels: 7, kernel: 5, stride: 2, padding: 2,
              poolBefore: (2, 2), isTap: true),
        .init(featureIndex: 2, inputChannels: 7, outputChannels: 6, kernel: 1, padding: 0, poolBefore: (3, 2),
              isTap: true),
    ])

    var convolutions: [(weight: [Float], bias: [Float])]
    var heads: [[Float]]

    /// He-normal weights; biases N(0, 0.1²), or exactly zero when `zeroBias` (to make all-zero feature columns).
    init(seed: UInt64, zeroBias: Bool = false) {
        var rng = SplitMix64(seed: seed)
        convolutions = Self.architecture.convolutions.map { c in
            let fanIn = c.inputChannels * c.kernel * c.kernel
            let scale = (2.0 / Double(fanIn)).squareRoot()
            return ((0..<c.outputChannels * fanIn).map { _ in Float(scale * rng.nextNormal()) },
                    (0..<c.outputChannels).map { _ in zeroBias ? 0 : Float(0.1 * rng.nextNormal()) })
        }
        heads = Self.architecture.tapChannels.map { c in (0..<c).map { _ in Float.random(in: 0...1, using: &rng) } }
    }

    func model() throws -> LPIPS {
        var index = 0
        return LPIPS(weights: try LPIPSWeights(architecture: Self.architecture, features: { _ in
            defer { index += 1 }
            return convolutions[index]
        }, heads: heads, trunkIsRandom: true, trunkSource: "tiny trunk", headsSource: "tiny heads"))
    }

    func reference() -> ReferenceLPIPS {
        var layers: [ReferenceLPIPS.Layer] = []
        for (c, t) in zip(Self.architecture.convolutions, convolutions) {
            if let pool = c.poolBefore { layers.append(.maxPool(window: pool.window, stride: pool.stride)) }
            layers.append(.convolution(ReferenceConvolution(weightOIHW: t.weight, bias: t.bias,
                                                            outputChannels: c.outputChannels,
                                                            inputChannels: c.inputChannels, kernel: c.kernel,
                                                            stride: c.stride, padding: c.padding)))
            layers.append(.relu)
            if c.isTap { layers.append(.tap) }
        }
        return ReferenceLPIPS(layers: layers, heads: heads.map { $0.map(Double.init) })
    }

    /// An RGB image in [-1, 1] as NHWC floats.
    static func image(height: Int, width: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<height * width * 3).map { _ in Float.random(in: -1...1, using: &rng) }
    }
}

extension ReferenceImage {
    init(rgb values: [Float], height: Int, width: Int) {
        self.init(height: height, width: width, channels: 3, values: values.map(Double.init))
    }
}
