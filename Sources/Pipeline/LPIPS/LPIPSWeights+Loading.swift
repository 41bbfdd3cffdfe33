import Foundation

extension LPIPSWeights {
    /// Reads a torchvision trunk file (`vgg16-397923af.pth`, `alexnet-owt-7be5be79.pth`, or any PyTorch file
    /// with `features.{i}.weight/bias`; classifier keys are ignored) and an `lpips` v0.1 head file.
    public static func load(net: LPIPSNet, trunk: URL, heads: URL) throws -> LPIPSWeights {
        let trunkFile = try CheckpointFile.open(trunk.path)
        return try LPIPSWeights(architecture: net.architecture, features: { conv in
            let prefix = "features.\(conv.featureIndex)"
            return (try trunkFile.tensors.floats("\(prefix).weight"), try trunkFile.tensors.floats("\(prefix).bias"))
        }, heads: readHeads(heads, net: net), trunkIsRandom: false, trunkSource: trunk.path, headsSource: heads.path)
    }

    /// A seeded random trunk (He-normal weights, small biases) with the real heads from `heads`: for demos and
    /// tests where the torchvision file is absent. `trunkIsRandom` is set so callers can say so in their logs
    /// and reports.
    public static func randomTrunk(net: LPIPSNet, heads: URL, seed: UInt32 = defaultRandomSeed) throws -> LPIPSWeights {
        try randomTrunk(net: net, heads: readHeads(heads, net: net), headsSource: heads.path, seed: seed)
    }

    /// A seeded random trunk with the given head weights (benchmarks: speed does not depend on the values).
    public static func randomTrunk(net: LPIPSNet, heads: [[Float]], headsSource: String = "given heads",
                                   seed: UInt32 = defaultRandomSeed) throws -> LPIPSWeights {
        var rng = NumpyRandomState(seed: seed)
        return try LPIPSWeights(architecture: net.architecture, features: { conv in
            let fanIn = conv.inputChannels * conv.kernel * conv.kernel
            let std = (2 / Double(fanIn)).squareRoot()
            let weight = (0..<conv.outputChannels * fanIn).map { _ in Float(std * rng.nextGaussian()) }
            let bias = (0..<conv.outputChannels).map { _ in Float(0.05 * rng.nextGaussian()) }
            return (weight, bias)
        }, heads: heads, trunkIsRandom: true, trunkSource: "random trunk", headsSource: headsSource)
    }

    public static let defaultRandomSeed: UInt32 = 0x4C50_4950

    /// `lin{k}.model.1.weight`, shape [1, C, 1, 1], from the `lpips` package's legacy-format file.
    static func readHeads(_ url: URL, net: LPIPSNet) throws -> [[Float]] {
        let file = try CheckpointFile.open(url.path)
        return try (0..<net.architecture.tapChannels.count).map { try file.tensors.floats("lin\($0).model.1.weight") }
    }
}
