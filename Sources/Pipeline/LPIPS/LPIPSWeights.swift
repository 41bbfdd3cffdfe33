/// Frozen LPIPS parameters: the trunk's convolutions (PyTorch `[Cout, Cin, k, k]` order) and the lin heads.
public struct LPIPSWeights: Sendable {
    public let architecture: LPIPSArchitecture
    /// `(weight, bias)` per convolution, in `architecture.convolutions` order.
    let convolutions: [(weight: [Float], bias: [Float])]
    /// Lin-head weights per tap.
    let heads: [[Float]]
    /// The trunk is seeded noise, not ImageNet weights: distances are only good for demos and tests.
    public let trunkIsRandom: Bool

    /// `features(conv)` returns that convolution's weight and bias (torchvision `features.{i}.weight/bias`).
    /// Shapes are checked; `trunkSource` and `headsSource` name the files in errors.
    public init(architecture: LPIPSArchitecture,
                features: (LPIPSArchitecture.Convolution) throws -> (weight: [Float], bias: [Float]),
                heads: [[Float]], trunkIsRandom: Bool, trunkSource: String, headsSource: String) throws {
        var convolutions: [(weight: [Float], bias: [Float])] = []
        for conv in architecture.convolutions {
            let t = try features(conv)
            let expected = conv.outputChannels * conv.inputChannels * conv.kernel * conv.kernel
            guard t.weight.count == expected, t.bias.count == conv.outputChannels else {
                throw LPIPSError.weights(file: trunkSource, """
                    features.\(conv.featureIndex) has \(t.weight.count) weights and \(t.bias.count) biases; \
                    \(architecture.name) needs [\(conv.outputChannels), \(conv.inputChannels), \(conv.kernel), \
                    \(conv.kernel)] and \(conv.outputChannels)
                    """)
            }
            convolutions.append(t)
        }
        let channels = architecture.tapChannels
        guard heads.map(\.count) == channels else {
            throw LPIPSError.weights(file: headsSource, "lin heads have \(heads.map(\.count)) weights; "
                                     + "\(architecture.name) needs \(channels)")
        }
        self.architecture = architecture
        self.convolutions = convolutions
        self.heads = heads
        self.trunkIsRandom = trunkIsRandom
    }
}
