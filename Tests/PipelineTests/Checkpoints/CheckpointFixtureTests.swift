import Foundation
import Testing
import Pipeline
import PivotTestSupport

@Suite("Checkpoint readers on the fixtures")
struct CheckpointFixtureTests {
    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func small64ZipStateDict() throws {
        let file = try CheckpointFile.open(fixture("stylegan2/small64_G_ema.pt"))
        #expect(file.format == .torchZip)
        #expect(file.tensors.count == 106)
        #expect(file.tensors.names.first == "synthesis.b4.const")
        #expect(file.tensors.names.last == "mapping.fc7.bias")
        #expect(file.tensors["synthesis.b64.conv0.weight"]?.shape == [32, 64, 3, 3])
        #expect(file.tensors["synthesis.b4.conv1.noise_strength"]?.shape == [])
        let reference = try Safetensors.read(path: fixture("stylegan2/small64_io.safetensors"))
        #expect(reference.tensors.count == 72)
        #expect(bitPatterns(try file.tensors.floats("mapping.w_avg")) == bitPatterns(try reference.tensors.floats("w_avg")))
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func tiny32SnapshotPickle() throws {
        let file = try CheckpointFile.open(fixture("stylegan2/tiny32.pkl"))
        #expect(file.format == .nvlabsSnapshot)
        #expect(file.tensors.count == 75)
        #expect(file.tensors.names.prefix(2) == ["synthesis.b4.const", "synthesis.b4.resample_filter"])
        #expect(file.tensors.names.last == "mapping.fc1.bias")
        let reference = try Safetensors.read(path: fixture("stylegan2/tiny32_io.safetensors"))
        #expect(reference.tensors.count == 62)
        #expect(bitPatterns(try file.tensors.floats("mapping.w_avg")) == bitPatterns(try reference.tensors.floats("w_avg")))

        let kwargs = try #require(file.initKwargs)
        #expect(kwargs["img_resolution"]?.intValue == 32)
        #expect(kwargs["z_dim"]?.intValue == 512)
        #expect(kwargs["mapping_kwargs"]?.dictValue?["num_layers"]?.intValue == 2)
        let synthesis = try #require(kwargs["synthesis_kwargs"]?.dictValue)
        #expect(synthesis["channel_base"]?.intValue == 1024)
        #expect(synthesis["channel_max"]?.intValue == 512)
        #expect(synthesis["conv_clamp"]?.intValue == 1)
        #expect(synthesis["num_fp16_res"]?.intValue == 4)

        // G and G_ema are identical in this fixture but stored in separate blobs: an independent check of every value.
        let generator = try #require(file.root.dictValue?["G"])
        let copy = try StateDict.flatten(generator, source: "G")
        #expect(copy.names == file.tensors.names)
        for (name, tensor) in file.tensors {
            #expect(bitPatterns(try tensor.floats()) == bitPatterns(try copy.floats(name)), "\(name)")
        }
        // The filter buffer is FILT = outer([1,3,3,1]) / 64.
        let taps: [Float] = [1, 3, 3, 1]
        #expect(try file.tensors.floats("synthesis.b8.conv0.resample_filter") == taps.flatMap { a in taps.map { a * $0 / 64 } })
        // The numpy float64 scalar `act_gain` of a SynthesisLayer is read as a Double.
        #expect(file.root.dictValue?["D"] != nil)
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: [
        ("vgg", [64, 128, 256, 512, 512], [6.92599, 8.85833, 17.515, 51.5213, 47.0349], [Int?](repeating: nil, count: 5)),
        ("alex", [64, 192, 384, 256, 256], [2.34953, 16.143, 39.2684, 27.1972, 20.3172], [35, 55, 37, 18, 5]),
    ])
    func lpipsLegacyHeads(net: String, channels: [Int], sums: [Double], zeros: [Int?]) throws {
        let file = try CheckpointFile.open(fixture("lpips/\(net)_lin.pth"))
        #expect(file.format == .torchLegacy)
        #expect(file.tensors.names == (0..<5).map { "lin\($0).model.1.weight" })
        for k in 0..<5 {
            let tensor = try file.tensors.tensor("lin\(k).model.1.weight")
            #expect(tensor.shape == [1, channels[k], 1, 1])
            let values = try tensor.floats()
            let sum = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - sums[k]) < 1e-3 * sums[k], "lin\(k) sum \(sum)")
            #expect(values.allSatisfy { $0 >= 0 })
            if let expected = zeros[k] { #expect(values.filter { $0 == 0 }.count == expected) }
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: [
        ("vgg_trunk_random", [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
         [[64, 3, 3, 3], [64, 64, 3, 3], [128, 64, 3, 3], [128, 128, 3, 3], [256, 128, 3, 3], [256, 256, 3, 3],
          [256, 256, 3, 3], [512, 256, 3, 3], [512, 512, 3, 3], [512, 512, 3, 3], [512, 512, 3, 3],
          [512, 512, 3, 3], [512, 512, 3, 3]]),
        ("alex_trunk_random", [0, 3, 6, 8, 10],
         [[64, 3, 11, 11], [192, 64, 5, 5], [384, 192, 3, 3], [256, 384, 3, 3], [256, 256, 3, 3]]),
    ])
    func lpipsZipTrunks(name: String, indices: [Int], shapes: [[Int]]) throws {
        let file = try CheckpointFile.open(fixture("lpips/\(name).pth"))
        #expect(file.format == .torchZip)
        #expect(file.tensors.names == indices.flatMap { ["features.\($0).weight", "features.\($0).bias"] })
        for (index, shape) in zip(indices, shapes) {
            let weight = try file.tensors.tensor("features.\(index).weight")
            #expect(weight.shape == shape)
            #expect(try file.tensors.tensor("features.\(index).bias").shape == [shape[0]])
            let values = try weight.floats()
            #expect(values.allSatisfy(\.isFinite) && values.contains { $0 != 0 })
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: [
        ("age", Float(-0.1651), Float(0.1442)), ("smile", -0.1312, 0.1435), ("rotation", -0.2303, 0.2058),
    ])
    func interfaceganDirections(name: String, minimum: Float, maximum: Float) throws {
        let file = try CheckpointFile.open(fixture("directions/\(name).pt"))
        #expect(file.format == .torchZip)
        let direction = try file.tensors.tensor(StateDict.bareTensorName)
        #expect(direction.shape == [1, 512])
        let values = try direction.floats()
        let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 1) < 1e-5)
        #expect(abs(values.min()! - minimum) < 1e-4 && abs(values.max()! - maximum) < 1e-4)
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func directionCosines() throws {
        func direction(_ name: String) throws -> [Float] {
            try CheckpointFile.open(fixture("directions/\(name).pt")).tensors.floats(StateDict.bareTensorName)
        }
        let age = try direction("age"), smile = try direction("smile"), rotation = try direction("rotation")
        func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        #expect(abs(dot(age, smile) - 0.083) < 5e-4)
        #expect(abs(dot(age, rotation) - 0.053) < 5e-4)
        #expect(abs(dot(smile, rotation) - 0.030) < 5e-4)
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func ganspaceStridedComponents() throws {
        let file = try CheckpointFile.open(fixture("directions/ffhq_pca.pt"))
        #expect(Set(file.tensors.names) == ["mean", "comp", "std"])
        let comp = try file.tensors.tensor("comp")
        #expect(comp.shape == [80, 1, 512] && comp.strides == [1, 80, 80] && !comp.isContiguous)
        let values = try comp.floats()
        for row in 0..<80 {
            let norm = values[(row * 512)..<(row * 512 + 512)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-4, "comp row \(row) norm \(norm)")
        }
        // Element comp[i,0,j] sits at float offset i + 80·j of the storage.
        let raw = try #require(comp.storage.bytes).bytes
        #expect(values[3 * 512 + 7].bitPattern == raw.loadUnaligned(fromByteOffset: (3 + 80 * 7) * 4, as: UInt32.self))
        let std = try file.tensors.floats("std")
        for (value, expected) in zip(std.prefix(5), [Float(2.8556), 2.6267, 2.5941, 2.4175, 2.2656]) {
            #expect(abs(value - expected) < 1e-4)
        }
        let mean = try file.tensors.floats("mean")
        #expect(abs(mean.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() - 4.1208) < 1e-4)
    }
}
