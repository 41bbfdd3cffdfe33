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

    @Option(help: "Generator: a checkpoint (NVlabs .pkl, G_ema state_dict .pt/.pth, rosinality, safetensors) or a model-store name.")
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
        guard RenderedImage.fileExtensions.contains((output as NSString).pathExtension.lowercased()) else {
            throw ValidationError("--output must end in .png, .jpg, .webp or .safetensors")
        }
        if let cutoff, cutoff < 0 { throw ValidationError("--cutoff must be ≥ 0") }
        guard psi.isFinite else { throw ValidationError("--psi must be a number") }
    }

    func run() throws {
        let g = try StyleGAN2Generator(model: model)
        let latent = try seed.map { g.latent(seed: $0) } ?? g.latent(file: z!)
        let mode: NoiseMode = noise == "const" ? .const : noise == "none" ? .none : .random(seed: seed ?? 0)
        let rendered = try g.render(z: latent, psi: psi, cutoff: cutoff, noise: mode)
        try rendered.write(to: output, metadata: ["model": model, "psi": "\(psi)", "noise": noise])
        print("wrote \(output) (\(g.resolution)x\(g.resolution))")
    }
}
