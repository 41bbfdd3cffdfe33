import ArgumentParser
import Foundation
import Pipeline

/// `pivot generate`: render one image from a latent with a StyleGAN2 generator.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render an image with a StyleGAN2 generator from a seed or a z file.",
        discussion: """
        --seed N draws z from Pivot's own generator (SplitMix64 + Box-Muller). It cannot reproduce \
        torch's RNG, so seed N does not give the face NVlabs' seed N gives; pass --z to render a \
        specific latent. Images are mapped from [-1, 1] as NVlabs does: uint8(clamp(x*127.5 + 128, 0, 255)).
        """)

    @Option(help: "Generator checkpoint (NVlabs .pkl, PyTorch .pt/.pth state_dict, safetensors).")
    var model: String

    @Option(help: "Seed for z (Pivot's RNG, not torch's).")
    var seed: UInt64?

    @Option(help: "z as FILE.safetensors[:KEY] (z_dim values; default key: the file's only tensor, or 'z').")
    var z: String?

    @Option(help: "Truncation psi (1 = none).")
    var psi: Float = 1

    @Option(help: "Truncate only the first N ws slots.")
    var cutoff: Int?

    @Option(help: "Noise: const, random or none.")
    var noise: String = "const"

    @Option(help: "Output .png, .jpg, .webp (8-bit image) or .safetensors (img NCHW [1,3,H,W] and ws).")
    var output: String

    func validate() throws {
        guard (seed == nil) != (z == nil) else { throw ValidationError("give exactly one of --seed and --z") }
        guard ["const", "random", "none"].contains(noise) else { throw ValidationError("--noise must be const, random or none") }
        guard ["png", "jpg", "jpeg", "webp", "safetensors"].contains(outputExtension) else {
            throw ValidationError("--output must end in .png, .jpg, .webp or .safetensors")
        }
        if let cutoff, cutoff < 0 { throw ValidationError("--cutoff must be ≥ 0") }
        guard psi.isFinite else { throw ValidationError("--psi must be a number") }
    }

    var outputExtension: String { URL(fileURLWithPath: output).pathExtension.lowercased() }

    func run() throws {
        let g = try StyleGAN2Generator(checkpoint: model)
        let latent = try seed.map { g.latent(seed: $0) } ?? readLatent(z!, count: g.mapping.zDim)
        let ws = g.ws(z: latent, psi: psi, cutoff: cutoff)
        let mode: NoiseMode = noise == "const" ? .const : noise == "none" ? .none : .random(seed: seed ?? 0)
        let image = g.synthesis.forward(ws: ws, noise: mode, keep: false).image
        let r = g.resolution
        if outputExtension == "safetensors" {
            var tensors = NamedTensors(source: output)
            var nchw = [Float](repeating: 0, count: image.count)
            for p in 0..<(r * r) { for c in 0..<3 { nchw[c * r * r + p] = image[p * 3 + c] } }
            tensors.set("img", try CheckpointTensor(floats: nchw, shape: [1, 3, r, r]))
            tensors.set("ws", try CheckpointTensor(floats: ws.flatMap { $0 }, shape: [1, g.numWs, g.mapping.wDim]))
            try Safetensors.write(tensors, metadata: ["model": model, "psi": "\(psi)", "noise": noise], to: output)
        } else {
            let bytes = image.map { UInt8(max(0, min(255, $0 * 127.5 + 128))) }
            let encoding: ImageEncoding = outputExtension == "png" ? .png
                : outputExtension == "webp" ? .webp(quality: 95) : .jpeg(quality: 95)
            try ImageCodec.write(RGBImage(width: r, height: r, pixels: bytes), to: URL(fileURLWithPath: output), as: encoding)
        }
        print("wrote \(output) (\(r)x\(r))")
    }

    /// FILE[:KEY] -> zDim floats.
    func readLatent(_ spec: String, count: Int) throws -> [Float] {
        var path = spec, key: String? = nil
        if let colon = spec.lastIndex(of: ":"), spec[spec.index(after: colon)...].allSatisfy({ $0 != "/" }),
           !spec.hasSuffix(".safetensors") {
            path = String(spec[..<colon]); key = String(spec[spec.index(after: colon)...])
        }
        let tensors = try Safetensors.read(path: path).tensors
        let name = key ?? (tensors.count == 1 ? tensors.names[0] : "z")
        let values = try tensors.floats(name)
        guard values.count == count else {
            throw GeneratorError("\(path): tensor '\(name)' has \(values.count) values; the generator's z needs \(count)")
        }
        return values
    }
}
