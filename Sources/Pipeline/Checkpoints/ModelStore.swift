import Foundation

/// Pivot's model store: one `NAME.safetensors` (NVlabs tensor names, float32, architecture in the metadata)
/// plus one `NAME.json` manifest per imported generator. Its folder is `$PIVOT_MODEL_STORE`, else
/// `$XDG_DATA_HOME/pivot/models`, else `~/.local/share/pivot/models`.
public struct ModelStore {
    public let root: String

    public init(root: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root ?? Self.defaultRoot(environment: environment)
    }

    public static func defaultRoot(environment: [String: String]) -> String {
        if let store = environment["PIVOT_MODEL_STORE"], !store.isEmpty { return store }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/pivot/models" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/pivot/models"
    }

    public func weightsPath(_ name: String) -> String { root + "/" + name + ".safetensors" }
    public func manifestPath(_ name: String) -> String { root + "/" + name + ".json" }

    /// `--model PATH|NAME`: an existing file path as it is, else a model of that name in the store.
    public func resolve(_ model: String) throws -> String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &isFolder), !isFolder.boolValue { return model }
        if Self.isValidName(model), FileManager.default.fileExists(atPath: weightsPath(model)) { return weightsPath(model) }
        let known = (try? list().map(\.name)) ?? []
        throw CheckpointError(.io, file: model,
                              "no such file, and no model of that name in \(root)" +
                              (known.isEmpty ? " (the store is empty; use `pivot models import`)" : " (models: \(known.joined(separator: ", ")))"))
    }

    /// The manifests of every stored model, by name.
    public func list() throws -> [ModelManifest] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map { entry in
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/" + entry))
            return try JSONDecoder().decode(ModelManifest.self, from: data)
        }
    }

    /// Store names: letters, digits, `.`, `_`, `-`; not starting with a dot; at most 100 characters.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0) }
    }

    /// The default name for a source file: its base name without extension, other characters replaced by `_`.
    public static func defaultName(for path: String) -> String {
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let cleaned = String(base.unicodeScalars.map { scalar -> Character in
            isValidName(String(scalar)) ? Character(scalar) : "_"
        })
        return isValidName(cleaned) ? cleaned : "model"
    }
}

/// `NAME.json`: what was imported, from where, and its architecture.
public struct ModelManifest: Codable, Equatable, Sendable {
    public var name: String
    public var kind: String
    public var architecture: GeneratorConfig
    /// C(r) per block resolution, for readers of the manifest.
    public var channelsPerResolution: [String: Int]
    public var numWs: Int
    public var tensorCount: Int
    public var weightsFile: String
    public var sourceFile: String
    public var sourceFormat: String
    public var sourceSHA256: String
    public var pivotVersion: String
}
