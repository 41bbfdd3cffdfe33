import Foundation

extension ModelStore {
    /// Converts a generator checkpoint into the store. The whole file is parsed and every tensor's shape is
    /// checked against the architecture before anything is written; the weights then stream tensor by tensor
    /// into `NAME.safetensors` and the manifest is written last, both atomically.
    public func importGenerator(from path: String, name requestedName: String? = nil) throws -> ModelManifest {
        let name = requestedName ?? Self.defaultName(for: path)
        guard Self.isValidName(name) else {
            throw CheckpointError(.io, file: path, "model name '\(name)' may hold only letters, digits, '.', '_' and '-'")
        }
        let file = try CheckpointFile.open(path)
        let generator = try GeneratorWeights.load(file)
        let digest = try generator.identity().sha256

        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw CheckpointError(.io, file: root, "cannot create the model store folder: \(error.localizedDescription)")
        }
        let config = generator.config
        let configJSON = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        try Safetensors.write(generator.tensors, metadata: [
            GeneratorWeights.configMetadataKey: configJSON, GeneratorWeights.sourceDigestMetadataKey: digest,
        ], to: weightsPath(name))

        let manifest = ModelManifest(
            name: name, kind: "stylegan2-generator", architecture: config,
            channelsPerResolution: Dictionary(uniqueKeysWithValues: config.blockResolutions.map { (String($0), config.channels(at: $0)) }),
            numWs: config.numWs, tensorCount: generator.tensors.count, weightsFile: name + ".safetensors",
            sourceFile: (path as NSString).standardizingPath, sourceFormat: generator.source, sourceSHA256: digest,
            pivotVersion: PivotVersion.string)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(manifest) + Data("\n".utf8)
        try AtomicFile.write(to: manifestPath(name)) { try $0.write(Array(json)) }
        return manifest
    }
}
