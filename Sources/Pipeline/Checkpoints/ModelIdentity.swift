/// Which generator a result was made with, for reports: what the user named, the file read, how it stored
/// the generator, the architecture and the file's SHA-256 (what `sha256sum` prints).
public struct ModelIdentity: Codable, Equatable, Sendable {
    /// The `--model` argument: a checkpoint path or a model-store name.
    public var model: String
    /// The file read; a store name resolves to `NAME.safetensors` in the store.
    public var path: String
    /// How the file stored the generator, e.g. "NVlabs snapshot pickle (G_ema)" or "Pivot model store".
    public var format: String
    public var config: GeneratorConfig
    /// SHA-256 of the file at `path`, lowercase hex.
    public var sha256: String
    /// For a model-store file: the SHA-256 of the checkpoint it was imported from (the manifest's
    /// `sourceSHA256`); nil for any other file.
    public var sourceSHA256: String?
}

extension GeneratorWeights {
    /// The identity of the file these weights were read from. Hashing reads the whole file once (it is
    /// memory-mapped), so it is computed here on request rather than on every load.
    public func identity() throws -> ModelIdentity {
        guard let origin else {
            throw CheckpointError(.io, file: tensors.source, "weights made in memory have no file to identify")
        }
        let file = origin.file
        return ModelIdentity(model: origin.model, path: file.path, format: source, config: config,
                             sha256: SHA256.hex(file.buffer.bytes),
                             sourceSHA256: file.metadata[Self.sourceDigestMetadataKey])
    }
}
