import ArgumentParser
import Foundation
import Pipeline

/// `pivot models ...`: read published checkpoints and manage the model store.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect checkpoints and import generators into the model store.",
        discussion: """
            The model store is $PIVOT_MODEL_STORE, else $XDG_DATA_HOME/pivot/models, else \
            ~/.local/share/pivot/models. Stages take --model PATH|NAME: a checkpoint path or a stored name.
            """,
        subcommands: [ModelsInspect.self, ModelsImport.self, ModelsList.self]
    )
}

struct ModelsInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a checkpoint's format, generator architecture and every tensor (nothing in it is executed).")

    @Argument(help: "A .pkl, .pt, .pth, .safetensors or .npy file.") var file: String
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let checkpoint = try CheckpointFile.open(file)
        let generator = GeneratorWeights.isGenerator(checkpoint) ? try GeneratorWeights.load(checkpoint) : nil
        let report = InspectReport(checkpoint, generator)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}

struct ModelsImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a generator checkpoint into the model store (safetensors + JSON manifest).",
        discussion: "Every tensor's shape is checked against the architecture before anything is written.")

    @Argument(help: "An NVlabs .pkl, a G_ema state_dict .pt, a rosinality checkpoint or a safetensors file.") var file: String
    @Option(help: "Name in the store (default: the file's base name).") var name: String?

    func run() throws {
        let store = ModelStore()
        let manifest = try store.importGenerator(from: file, name: name)
        print("imported \(manifest.name): \(manifest.architecture.resolution) px, \(manifest.tensorCount) tensors, num_ws \(manifest.numWs)")
        print("  weights  \(store.weightsPath(manifest.name))")
        print("  manifest \(store.manifestPath(manifest.name))")
        print("  source   \(manifest.sourceFile) (sha256 \(manifest.sourceSHA256))")
    }
}

struct ModelsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the models in the store.")

    func run() throws {
        let store = ModelStore()
        let models = try store.list()
        if models.isEmpty { print("no models in \(store.root)") }
        for model in models {
            print("\(model.name)\t\(model.architecture.resolution) px\tnum_ws \(model.numWs)\tfrom \(model.sourceFile)")
        }
    }
}
