import ArgumentParser
import Pipeline

/// The PTI flags `pivot process` and `pivot watch` share; each one that is set wins over the config file.
struct PTIFlags: ParsableArguments {
    @Option(help: "Generator: checkpoint path or model-store name (default: the built-in demo).")
    var model: String?

    @Option(help: "Folder searched for weight files not given explicitly (default ./models).")
    var modelsFolder: String?

    @Option(help: "torchvision vgg16-397923af.pth.") var vggTrunk: String?
    @Option(help: "torchvision alexnet-owt-7be5be79.pth.") var alexTrunk: String?
    @Option(help: "lpips weights/v0.1/vgg.pth.") var vggHeads: String?
    @Option(help: "lpips weights/v0.1/alex.pth.") var alexHeads: String?

    @Option(name: .customLong("direction"), help: "An InterFaceGAN direction or GANSpace PCA file (repeatable).")
    var directions: [String] = []

    @Option(parsing: .upToNextOption, help: "Edits, e.g. age=-3,3 smile=2 (default: every direction at -2,2).")
    var edits: [String] = []

    @Flag(help: "Halve InterFaceGAN factors as PTI's editing wrapper does.")
    var upstreamFactors = false

    @Option(help: "Projector steps (PTI: 450).") var invertSteps: Int?
    @Option(help: "Most tuning steps (PTI: 350; stops early at LPIPS 0.06).") var tuneSteps: Int?
    @Option(help: "Pivot space: w (PTI) or w+.") var latent: String?
    @Flag(help: "Enable PTI's locality regulariser (off upstream).") var locality = false
    @Option(help: "Output images: png, jpg, webp, or several, comma-separated.") var format: String?
    @Option(help: "JPEG/WebP quality (WebP 100 = lossless).") var quality: Int?
    @Flag(help: "Also write faceN/generator.safetensors (the tuned generator).") var saveGenerator = false
    @Option(help: "Seed of the projector's noise (same seed and input: same bytes).") var seed: UInt64?
    @Option(help: "Alignment: pti or ffhq.") var variant: String?
    @Option(help: "Detector upsampling (PTI: 1).") var upsample: Int?
    @Option(help: "Process only the N most confident faces of each photo.") var maxFaces: Int?

    var options: PTIOptions {
        var o = PTIOptions()
        o.model = model
        o.modelsFolder = modelsFolder
        (o.vggTrunk, o.alexTrunk, o.vggHeads, o.alexHeads) = (vggTrunk, alexTrunk, vggHeads, alexHeads)
        o.directions = directions.isEmpty ? nil : directions
        o.edits = edits.isEmpty ? nil : edits
        o.upstreamFactors = upstreamFactors ? true : nil
        (o.invertSteps, o.tuneSteps, o.latent) = (invertSteps, tuneSteps, latent)
        o.locality = locality ? true : nil
        (o.format, o.quality, o.seed, o.variant, o.upsample, o.maxFaces) = (format, quality, seed, variant, upsample, maxFaces)
        o.saveGenerator = saveGenerator ? true : nil
        return o
    }
}
