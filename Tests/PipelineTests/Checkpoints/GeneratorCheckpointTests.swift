import Foundation
import Testing
import Pipeline
import PivotTestSupport

@Suite("Generator architecture and checkpoints")
struct GeneratorCheckpointTests {
    /// Trainable parameters (buffers excluded) of a config, from its expected tensor list.
    func parameterCount(_ config: GeneratorConfig) -> Int {
        config.expectedTensors.filter { !$0.name.hasSuffix("resample_filter") && !$0.name.hasSuffix("noise_const") && $0.name != "mapping.w_avg" }
            .reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    @Test func expectedTensorTablesMatchTheSpecCounts() throws {
        let configF = try GeneratorConfig(resolution: 1024)
        #expect(configF.expectedTensors.count == 182 && configF.numWs == 18)
        #expect(parameterCount(configF) == 30_370_060)
        #expect(configF.blockResolutions.map(configF.channels(at:)) == [512, 512, 512, 512, 512, 256, 128, 64, 32])
        let paper256 = try GeneratorConfig(resolution: 256, channelBase: 16384)
        #expect(paper256.expectedTensors.count == 144 && paper256.numWs == 14)
        #expect(parameterCount(paper256) == 24_767_458)
        #expect(parameterCount(try GeneratorConfig(resolution: 256)) == 30_034_338)
        #expect(parameterCount(try GeneratorConfig(resolution: 32, mappingLayers: 2, channelBase: 1024)) == 2_424_307)
        #expect(parameterCount(try GeneratorConfig(resolution: 64, channelBase: 2048, channelMax: 128)) == 3_703_416)
        #expect(try GeneratorConfig(resolution: 512).numWs == 16)
        let shapes = Dictionary(uniqueKeysWithValues: configF.expectedTensors.map { ($0.name, $0.shape) })
        #expect(shapes["synthesis.b256.conv0.weight"] == [128, 256, 3, 3])
        #expect(shapes["synthesis.b256.conv0.affine.weight"] == [256, 512])
        #expect(shapes["synthesis.b1024.torgb.weight"] == [3, 32, 1, 1])
        #expect(shapes["synthesis.b1024.conv1.noise_const"] == [1024, 1024])
    }

    @Test func invalidArchitecturesAreRefused() {
        #expect(throws: ArchitectureError.self) { try GeneratorConfig(resolution: 48) }
        #expect(throws: ArchitectureError.self) { try GeneratorConfig(resolution: 1 << 20) }
        #expect(throws: ArchitectureError.self) { try GeneratorConfig(resolution: 64, channelBase: 32) }
        #expect(throws: ArchitectureError.self) { try GeneratorConfig(resolution: 64, mappingLayers: 0) }
        #expect(throws: ArchitectureError.self) { try GeneratorConfig(resolution: 64, architecture: "resnet") }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func tiny32ArchitectureFromInitKwargs() throws {
        let generator = try GeneratorWeights.load(CheckpointFile.open(fixture("stylegan2/tiny32.pkl")))
        let expected = try GeneratorConfig(resolution: 32, mappingLayers: 2, channelBase: 1024, channelMax: 512,
                                           convClamp: 1, numFP16Res: 4)
        #expect(generator.config == expected)
        #expect(generator.config.blockResolutions.map(generator.config.channels(at:)) == [256, 128, 64, 32])
        #expect(generator.config.numWs == 8)
        #expect(generator.tensors.names == expected.expectedTensors.map(\.name))
        #expect(generator.source.contains("G_ema"))
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func small64ArchitectureInferredFromShapes() throws {
        let generator = try GeneratorWeights.load(CheckpointFile.open(fixture("stylegan2/small64_G_ema.pt")))
        #expect(generator.config == (try GeneratorConfig(resolution: 64, mappingLayers: 8, channelBase: 2048, channelMax: 128)))
        #expect(generator.config.blockResolutions.map(generator.config.channels(at:)) == [128, 128, 128, 64, 32])
        #expect(generator.config.numWs == 10 && generator.config.convClamp == nil)
        #expect(generator.tensors.count == 106)
    }

    /// rosinality's layout, built here from the NVlabs tensors by the inverse of stylegan2.md §7.8.
    func rosinalityLayout(of nvlabs: NamedTensors, resolution: Int) throws -> NamedTensors {
        var out = NamedTensors(source: "rosinality")
        func put(_ name: String, _ source: String, _ shape: [Int]? = nil) throws {
            let tensor = try nvlabs.tensor(source)
            out.set("g_ema." + name, try shape.map { try tensor.reshaped($0) } ?? tensor)
        }
        func styled(_ prefix: String, _ layer: String, noise: Int) throws {
            let weight = try nvlabs.tensor("\(layer).weight").shape
            try put("\(prefix).conv.weight", "\(layer).weight", [1] + weight)
            try put("\(prefix).conv.modulation.weight", "\(layer).affine.weight")
            try put("\(prefix).conv.modulation.bias", "\(layer).affine.bias")
            try put("\(prefix).noise.weight", "\(layer).noise_strength", [1])
            try put("\(prefix).activate.bias", "\(layer).bias")
            let r = try nvlabs.tensor("\(layer).noise_const").shape[0]
            try put("noises.noise_\(noise)", "\(layer).noise_const", [1, 1, r, r])
        }
        func rgb(_ prefix: String, _ block: String) throws {
            let weight = try nvlabs.tensor("\(block).torgb.weight").shape
            try put("\(prefix).conv.weight", "\(block).torgb.weight", [1] + weight)
            try put("\(prefix).conv.modulation.weight", "\(block).torgb.affine.weight")
            try put("\(prefix).conv.modulation.bias", "\(block).torgb.affine.bias")
            try put("\(prefix).bias", "\(block).torgb.bias", [1, weight[0], 1, 1])
        }
        let const = try nvlabs.tensor("synthesis.b4.const").shape
        try put("input.input", "synthesis.b4.const", [1] + const)
        try styled("conv1", "synthesis.b4.conv1", noise: 0)
        try rgb("to_rgb1", "synthesis.b4")
        var k = 3
        while 1 << k <= resolution {
            try styled("convs.\(2 * (k - 3))", "synthesis.b\(1 << k).conv0", noise: 2 * k - 5)
            try styled("convs.\(2 * (k - 3) + 1)", "synthesis.b\(1 << k).conv1", noise: 2 * k - 4)
            try rgb("to_rgbs.\(k - 3)", "synthesis.b\(1 << k)")
            out.set("g_ema.convs.\(2 * (k - 3)).conv.blur.kernel", try CheckpointTensor(floats: [Float](repeating: 1, count: 16), shape: [4, 4]))
            k += 1
        }
        var i = 0
        while nvlabs["mapping.fc\(i).weight"] != nil {
            try put("style.\(i + 1).weight", "mapping.fc\(i).weight")
            try put("style.\(i + 1).bias", "mapping.fc\(i).bias")
            i += 1
        }
        out.set("latent_avg", try nvlabs.tensor("mapping.w_avg"))
        return out
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func rosinalityCheckpointMapsOntoNVlabsNames() throws {
        let folder = try temporaryFolder("rosinality")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try GeneratorWeights.load(CheckpointFile.open(fixture("stylegan2/small64_G_ema.pt")))
        let path = folder + "/rosinality.safetensors"
        try Safetensors.write(rosinalityLayout(of: original.tensors, resolution: 64), to: path)

        let converted = try GeneratorWeights.load(CheckpointFile.open(path))
        #expect(converted.source.contains("rosinality"))
        #expect(converted.config == original.config)
        #expect(converted.tensors.names == original.tensors.names)
        for (name, tensor) in original.tensors {
            let mapped = try converted.tensors.tensor(name)
            #expect(mapped.shape == tensor.shape, "\(name)")
            #expect(try mapped.floats().map(\.bitPattern) == tensor.floats().map(\.bitPattern), "\(name)")
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func shapesThatDoNotFitTheArchitectureAreRefused() throws {
        let folder = try temporaryFolder("misfit")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try CheckpointFile.open(fixture("stylegan2/small64_G_ema.pt")).tensors

        var wrongShape = original
        wrongShape.set("synthesis.b16.conv1.affine.bias", try CheckpointTensor(floats: [Float](repeating: 0, count: 100), shape: [100]))
        var missing = NamedTensors(source: "missing")
        for (name, tensor) in original where name != "synthesis.b32.torgb.bias" { missing.set(name, tensor) }
        var extra = original
        extra.set("synthesis.b64.mystery", try CheckpointTensor(floats: [1], shape: [1]))
        for (label, tensors, fragment) in [("shape", wrongShape, "synthesis.b16.conv1.affine.bias has shape [100]"),
                                           ("missing", missing, "missing synthesis.b32.torgb.bias"),
                                           ("extra", extra, "unexpected tensor synthesis.b64.mystery")] {
            let path = folder + "/\(label).safetensors"
            try Safetensors.write(tensors, to: path)
            do {
                _ = try GeneratorWeights.load(CheckpointFile.open(path))
                Issue.record("\(label): accepted")
            } catch let error as CheckpointError {
                #expect(error.kind == .architecture && error.description.contains(fragment), "\(error)")
                #expect(error.file == path)
            }
        }
    }
}
