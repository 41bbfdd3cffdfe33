import Foundation
import Testing
import Pipeline
import PivotTestSupport

/// What `pivot generate` does per call: latent → ws → image → .png or .safetensors.
@Suite("Rendering (pivot generate)")
struct RenderedImageTests {
    /// tiny32.pkl, seed 5, psi 0.7: the written safetensors holds exactly the direct forward pass (img NCHW
    /// [1,3,32,32], ws [1,8,512]) and the PNG holds its 8-bit mapping.
    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func seedAndPsiWritePNGAndSafetensors() throws {
        let folder = try temporaryFolder("render")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let g = try StyleGAN2Generator(model: fixture("stylegan2/tiny32.pkl"))
        let z = g.latent(seed: 5)
        let rendered = try g.render(z: z, psi: 0.7)

        let w = g.mapping(z)
        let ws = (0..<g.numWs).map { _ in zip(g.mapping.wAvg, w).map { average, value in average + 0.7 * (value - average) } }
        let direct = g.synthesis.forward(ws: ws, noise: .const, keep: false).image
        #expect(rendered.ws == ws && rendered.image == direct)

        let tensorsPath = folder + "/out.safetensors"
        try rendered.write(to: tensorsPath, metadata: ["psi": "0.7"])
        let contents = try Safetensors.read(path: tensorsPath)
        #expect(contents.tensors.names.sorted() == ["img", "ws"] && contents.metadata == ["psi": "0.7"])
        let img = try contents.tensors.tensor("img"), storedWs = try contents.tensors.tensor("ws")
        #expect(img.shape == [1, 3, 32, 32] && storedWs.shape == [1, 8, 512])
        #expect(try img.floats() == nchw(direct, size: 32, channels: 3))
        #expect(try storedWs.floats() == ws.flatMap { $0 })

        let pngPath = folder + "/out.png"
        try rendered.write(to: pngPath)
        let png = try ImageCodec.read(URL(fileURLWithPath: pngPath))
        #expect(png == RGBImage(normalizedNHWC: direct, width: 32, height: 32))
        #expect(Set(png.pixels).count > 50)
    }

    /// psi with a cutoff truncates only the first slots; noise none differs from const.
    @Test func cutoffAndNoiseReachTheForwardPass() throws {
        let config = try GeneratorConfig(resolution: 8, zDim: 6, wDim: 5, mappingLayers: 2, channelBase: 64, channelMax: 8)
        var g = StyleGAN2Generator.random(config: config, seed: 4)
        g.synthesis.blocks[1].conv0!.noiseStrength = [0.5]   // NVlabs initialises the strengths to 0
        let z = g.latent(seed: 2), w = g.mapping(z)
        let rendered = try g.render(z: z, psi: 0.5, cutoff: 2, noise: .none)
        #expect(rendered.ws[2...].allSatisfy { $0 == w } && rendered.ws[..<2].allSatisfy { $0 != w })
        #expect(rendered.image == g.synthesis.forward(ws: rendered.ws, noise: .none, keep: false).image)
        #expect(rendered.image != (try g.render(z: z, psi: 0.5, cutoff: 2, noise: .const)).image)
    }

    /// --z FILE[:KEY]: the default key, an explicit key, and a latent of the wrong size (named in the error).
    @Test func latentFilesAndBadInputs() throws {
        let folder = try temporaryFolder("latent")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = try GeneratorConfig(resolution: 4, zDim: 6, wDim: 4, mappingLayers: 1, channelBase: 16, channelMax: 4)
        let g = StyleGAN2Generator.random(config: config, seed: 1)
        let z: [Float] = [0.5, -1, 2, 0.25, -0.75, 1.5]
        var tensors = NamedTensors(source: "latents")
        tensors.set("z", try CheckpointTensor(floats: z, shape: [1, 6]))
        tensors.set("short", try CheckpointTensor(floats: [1, 2, 3], shape: [3]))
        let path = folder + "/latents.safetensors"
        try Safetensors.write(tensors, to: path)

        #expect(try g.latent(file: path) == z)
        #expect(try g.latent(file: path + ":z") == z)
        #expect { _ = try g.latent(file: path + ":short") } throws: { "\($0)".contains(path) && "\($0)".contains("'short' has 3 values") }
        #expect { _ = try g.latent(file: path + ":absent") } throws: { "\($0)".contains("absent") }
        #expect(throws: GeneratorError.self) { _ = try g.render(z: [1, 2, 3]) }
        let rendered = try g.render(z: z)
        #expect { try rendered.write(to: folder + "/out.tiff") } throws: { "\($0)".contains("out.tiff") }
    }
}
