import Foundation
import Testing
import Pipeline
import PivotTestSupport

/// `StyleGAN2Generator(model:)`: checkpoint paths and store names, the architecture read from the file,
/// the model identity, and clear errors for files that are not a generator.
@Suite("Generator loading (--model PATH|NAME)")
struct GeneratorLoadingTests {
    /// `sha256sum` of the fixture files.
    static let digests = [
        "tiny32": "5774176330f55a7e5ad4a4d9062452c4c1452f9040483da4782cd6d6355933c6",
        "small64": "c8a77facb13234f204a6706d3ace673645320a971c1d6ef1b5788aaf730d4a82",
    ]
    static let formats = ["tiny32": "NVlabs snapshot pickle (G_ema)", "small64": "PyTorch zip (G_ema state_dict)"]

    /// The architecture comes from the file (init_kwargs for the pickle, tensor shapes for the state_dict) and
    /// equals the one the fixture was made with; the image from the fixture's ws matches NVlabs'.
    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: ["tiny32", "small64"])
    func fixtureFilesLoadWithTheirArchitecture(name: String) throws {
        let fixture = try StyleGAN2Fixture(name)
        let weights = try GeneratorWeights.load(model: fixture.path)
        let config = weights.config
        #expect(config.resolution == fixture.config.resolution && config.mappingLayers == fixture.config.mappingLayers)
        #expect(config.channelBase == fixture.config.channelBase && config.channelMax == fixture.config.channelMax)
        #expect(config.convClamp == fixture.config.convClamp)

        let g = try StyleGAN2Generator(weights: weights)
        let R = g.resolution
        for sample in 0..<2 {
            let image = g.synthesis.forward(ws: try fixture.ws("ws", sample: sample), keep: false).image
            expectMatch("\(name) img[\(sample)]", nchw(image, size: R, channels: 3), try fixture.ref("img", sample: sample), 1e-4)
        }

        let identity = try weights.identity()
        #expect(identity.model == fixture.path && identity.path == fixture.path)
        #expect(identity.format == Self.formats[name] && identity.config == config)
        #expect(identity.sha256 == Self.digests[name] && identity.sourceSHA256 == nil)
    }

    /// A model imported into the store loads by name into the same generator, and its identity points at the
    /// store file while keeping the imported file's digest.
    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func storeNameResolvesToTheSameGenerator() throws {
        let folder = try temporaryFolder("generator-store")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ModelStore(root: folder + "/models")
        let source = fixture("stylegan2/tiny32.pkl")
        let manifest = try store.importGenerator(from: source, name: "tiny")

        let byPath = try StyleGAN2Generator(model: source, store: store)
        let byName = try StyleGAN2Generator(model: "tiny", store: store)
        let ws = byPath.ws(z: byPath.latent(seed: 3), psi: 0.7)
        #expect(byName.ws(z: byName.latent(seed: 3), psi: 0.7) == ws)
        #expect(byName.synthesis.forward(ws: ws, keep: false).image == byPath.synthesis.forward(ws: ws, keep: false).image)

        let identity = try GeneratorWeights.load(model: "tiny", store: store).identity()
        #expect(identity.model == "tiny" && identity.path == store.weightsPath("tiny"))
        #expect(identity.format == "Pivot model store" && identity.config == manifest.architecture)
        #expect(identity.sourceSHA256 == Self.digests["tiny32"] && manifest.sourceSHA256 == Self.digests["tiny32"])
        let stored = try Data(contentsOf: URL(fileURLWithPath: store.weightsPath("tiny")))
        #expect(identity.sha256 == stored.withUnsafeBytes { SHA256.hex($0) })
    }

    /// Every refusal names the file (or the unknown name) and says what is wrong.
    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func wrongFilesAreRefusedByName() throws {
        let folder = try temporaryFolder("generator-wrong")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ModelStore(root: folder + "/models")
        func expectRefusal(_ model: String, _ words: String...) {
            #expect {
                _ = try StyleGAN2Generator(model: model, store: store)
            } throws: { error in
                let message = "\(error)"
                return message.contains(model) && words.allSatisfy(message.contains)
            }
        }
        let lpips = fixture("lpips/vgg_lin.pth")
        expectRefusal(lpips, "no StyleGAN2 generator")
        expectRefusal("no-such-model", "no such file", folder)

        let original = try Data(contentsOf: URL(fileURLWithPath: fixture("stylegan2/tiny32.pkl")))
        let truncated = folder + "/truncated.pkl"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: truncated))
        expectRefusal(truncated)

        // NVlabs names, one tensor with the wrong shape: refused by the shape check, naming the tensor.
        var tensors = try CheckpointFile.open(fixture("stylegan2/tiny32.pkl")).tensors
        tensors.set("synthesis.b8.conv0.weight", try CheckpointTensor(floats: [Float](repeating: 0, count: 128 * 256 * 3 * 2),
                                                                      shape: [128, 256, 3, 2]))
        let misshapen = folder + "/misshapen.safetensors"
        try Safetensors.write(tensors, to: misshapen)
        expectRefusal(misshapen, "synthesis.b8.conv0.weight", "[128, 256, 3, 3]")
    }

    /// What the generator does not compute is refused, not silently rendered wrong.
    @Test func unsupportedArchitecturesAreRefused() throws {
        let conditional = try GeneratorConfig(resolution: 8, zDim: 4, wDim: 4, cDim: 2, mappingLayers: 1,
                                              channelBase: 32, channelMax: 8)
        let weights = try GeneratorWeights.make(conditional) { _, count in [Float](repeating: 0.5, count: count) }
        #expect {
            _ = try StyleGAN2Generator(weights: weights)
        } throws: { error in
            (error as? CheckpointError)?.kind == .unsupported && "\(error)".contains("c_dim 2")
        }
        #expect(throws: CheckpointError.self) { _ = try weights.identity() }   // made in memory: no file
    }

    /// Random generators take their tensors from GeneratorConfig: every block and layer is shaped by it.
    @Test func randomGeneratorFollowsItsConfig() throws {
        let config = try GeneratorConfig(resolution: 32, zDim: 12, wDim: 10, mappingLayers: 3, channelBase: 160, channelMax: 24)
        let g = StyleGAN2Generator.random(config: config, seed: 9)
        #expect(g.resolution == 32 && g.numWs == config.numWs && g.mapping.zDim == 12 && g.mapping.wDim == 10)
        #expect(g.mapping.layers.count == 3)
        #expect(g.synthesis.blocks.map(\.conv1.outputs) == config.blockResolutions.map(config.channels(at:)))
        let expected = Dictionary(uniqueKeysWithValues: config.expectedTensors.map { ($0.name, $0.shape.reduce(1, *)) })
        let built = g.synthesis.namedTensors()
        #expect(built.count == expected.keys.filter { $0.hasPrefix("synthesis.") && !$0.hasSuffix("resample_filter") }.count)
        for (name, values) in built { #expect(values.count == expected[name], "\(name)") }
        let image = g.synthesis.forward(ws: g.ws(z: g.latent(seed: 1)), keep: false).image
        #expect(image.count == 32 * 32 * 3 && image.allSatisfy(\.isFinite) && Set(image).count > 100)
    }
}
