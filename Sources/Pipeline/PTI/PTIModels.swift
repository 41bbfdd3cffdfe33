import Foundation

/// Everything PTI computes with, loaded once per run: the generator, the two LPIPS nets and the edits.
public struct PTIModels: Sendable {
    public var generator: StyleGAN2Generator
    public var generatorConfig: GeneratorConfig
    /// The checkpoint file used; nil for the built-in demo generator.
    public var generatorIdentity: ModelIdentity?
    /// LPIPS-VGG16 (the pivot search) and LPIPS-AlexNet (tuning and the reported metrics).
    public var vgg: LPIPS
    public var alex: LPIPS
    public var edits: EditLibrary
    /// What makes results not meaningful (demo generator, random trunks): logged and in every report.
    public var warnings: [String]

    /// Loads the files given; fills the gaps with the built-in demo generator and seeded random trunks.
    public static func load(_ files: PTIModelFiles) throws -> PTIModels {
        var warnings: [String] = []
        let generator: StyleGAN2Generator, config: GeneratorConfig, identity: ModelIdentity?
        let edits: EditLibrary
        if let model = files.model {
            let weights = try GeneratorWeights.load(model: model)
            config = weights.config
            generator = try StyleGAN2Generator(weights: weights)
            identity = try weights.identity()
            edits = try EditLibrary.load(files: files.directions)
        } else {
            (generator, config) = try DemoModels.generator()
            identity = nil
            edits = try DemoModels.edits(wDim: config.wDim)
            warnings.append("no model configured: using the built-in DEMO generator (random weights); its images are not faces "
                            + "and its edits are not meaningful. Install the FFHQ model (README) for real results.")
        }
        let vgg = try loadLPIPS(.vgg, trunk: files.vggTrunk, heads: files.vggHeads, warnings: &warnings)
        let alex = try loadLPIPS(.alex, trunk: files.alexTrunk, heads: files.alexHeads, warnings: &warnings)
        return PTIModels(generator: generator, generatorConfig: config, generatorIdentity: identity, vgg: vgg, alex: alex,
                         edits: edits, warnings: warnings)
    }

    private static func loadLPIPS(_ net: LPIPSNet, trunk: String?, heads: String?, warnings: inout [String]) throws -> LPIPS {
        if let trunk, let heads {
            return LPIPS(weights: try .load(net: net, trunk: URL(fileURLWithPath: trunk), heads: URL(fileURLWithPath: heads)))
        }
        let headWeights: [[Float]]
        let headsSource: String
        if let heads {
            headWeights = try LPIPSWeights.readHeads(URL(fileURLWithPath: heads), net: net)
            headsSource = heads
            warnings.append("no \(net.trunkFileName): LPIPS-\(net.rawValue) runs on a seeded RANDOM trunk; its distances are not perceptual")
        } else {
            headWeights = DemoModels.heads(net)
            headsSource = "random heads"
            warnings.append("no \(net.trunkFileName) and no lpips \(net.headsFileName): LPIPS-\(net.rawValue) runs on a seeded RANDOM "
                            + "trunk and random heads; its distances are not perceptual")
        }
        return LPIPS(weights: try .randomTrunk(net: net, heads: headWeights, headsSource: headsSource))
    }
}

/// The built-in demo: a small generator, random LPIPS heads and edit directions, all made from fixed seeds
/// so that Pivot runs out of the box and gives the same bytes on every machine. None of it is trained.
public enum DemoModels {
    /// 64×64, channels 128 at 4–8 down to 16 at 64, 2 mapping layers: a photo finishes in about a minute.
    public static func config() throws -> GeneratorConfig {
        try GeneratorConfig(resolution: 64, mappingLayers: 2, channelBase: 1024, channelMax: 128)
    }

    public static let seed: UInt64 = 0x5049_564F_5444_454D
    public static var generatorDescription: String { "built-in demo generator (64x64, seeded random weights)" }

    public static func generator() throws -> (StyleGAN2Generator, GeneratorConfig) {
        let config = try config()
        var generator = StyleGAN2Generator.random(config: config, seed: seed)
        // Random init leaves w_avg at zero; training would have tracked the mean w, so set that.
        generator.mapping.wAvg = WStatistics(mapping: generator.mapping).mean
        return (generator, config)
    }

    /// Three unit directions, `demo1` … `demo3`.
    public static func edits(wDim: Int) throws -> EditLibrary {
        var rng = SplitMix64(seed: seed &+ 1)
        let directions = try (1...3).map { index in
            let v = (0..<wDim).map { _ in rng.nextNormal() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return try LatentDirection(name: "demo\(index)", rows: [v.map { $0 / norm }])
        }
        return EditLibrary(directions: directions)
    }

    /// Positive head weights of the right sizes (the `lpips` heads are non-negative too).
    static func heads(_ net: LPIPSNet) -> [[Float]] {
        var rng = SplitMix64(seed: seed &+ 2)
        return net.architecture.tapChannels.map { channels in
            (0..<channels).map { _ in abs(rng.nextNormal()) / Float(channels).squareRoot() }
        }
    }
}
