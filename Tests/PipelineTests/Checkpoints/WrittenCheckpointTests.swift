import Foundation
import Testing
import Pipeline
import PivotTestSupport

/// Checkpoints made by `TorchZipWriter` (the torch.save zip layout) from a `GeneratorConfig`.
@Suite("Generated NVlabs-style checkpoints")
struct WrittenCheckpointTests {
    static func tensors(for config: GeneratorConfig, seed: UInt64) -> [TorchZipWriter.Tensor] {
        config.expectedTensors.enumerated().map { index, entry in
            TorchZipWriter.Tensor(name: entry.name, shape: entry.shape) {
                var random = TestRandom(seed: seed &+ UInt64(index))
                return random.floats(entry.shape.reduce(1, *))
            }
        }
    }

    @Test func smallGeneratorRoundTripsThroughTheZipLayout() throws {
        let folder = try temporaryFolder("written")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try GeneratorConfig(resolution: 16, zDim: 24, wDim: 32, mappingLayers: 3, channelBase: 256, channelMax: 48)
        let written = Self.tensors(for: config, seed: 5)
        let path = folder + "/small16.pt"
        try TorchZipWriter.write(written, to: path, folder: "small16")

        let generator = try GeneratorWeights.load(CheckpointFile.open(path))
        #expect(generator.config == config)
        #expect(generator.tensors.names == written.map(\.name))
        for tensor in written {
            #expect(try generator.tensors.floats(tensor.name).map(\.bitPattern) == tensor.values().map(\.bitPattern), "\(tensor.name)")
        }
    }

    /// Not a test of behaviour: writes the ~120 MB scaled-up checkpoint used to measure the peak memory of
    /// `pivot models import`, when PIVOT_BIG_CHECKPOINT names the output path.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PIVOT_BIG_CHECKPOINT"] != nil))
    func writeScaledUpCheckpoint() throws {
        let path = try #require(ProcessInfo.processInfo.environment["PIVOT_BIG_CHECKPOINT"])
        // R 256, cb 32768, 8 mapping layers: 30,034,338 parameters (about 120 MB of float32) plus buffers.
        let config = try GeneratorConfig(resolution: 256, channelBase: 32768, channelMax: 512)
        try TorchZipWriter.write(Self.tensors(for: config, seed: 11), to: path, folder: "big256_G_ema")
        #expect(try GeneratorWeights.load(CheckpointFile.open(path)).config == config)
    }
}
