import Foundation

/// The edits a run can apply, by name: InterFaceGAN directions (`age`, `smile`, `rotation`, ...) and the
/// GANSpace presets `gs_eye_openness`, `gs_smile`, `gs_trimmed_beard` when a PCA file is loaded.
///
/// Factor semantics: an InterFaceGAN edit is `w + factor·n` with the user's factor as given. PTI's editing
/// wrapper halves the factor (specs/pti.md §6.1); with `halvingInterFaceGAN` Pivot does the same, so
/// upstream's `age=-2,2` gives upstream's images. A GANSpace edit SETS the component's coordinate to `factor`
/// standard deviations on the preset's layers (upstream semantics, §6.2).
public struct EditLibrary: Sendable {
    public var directions: [String: LatentDirection]
    public var pca: GANSpacePCA?
    /// Each loaded file with its SHA-256, for reports.
    public var sources: [EditSource]

    public init(directions: [LatentDirection] = [], pca: GANSpacePCA? = nil, sources: [EditSource] = []) {
        self.directions = Dictionary(directions.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.pca = pca
        self.sources = sources
    }

    /// Loads direction and PCA files; a file holding `comp`, `mean` and `std` is a GANSpace PCA.
    public static func load(files: [String]) throws -> EditLibrary {
        var library = EditLibrary()
        for path in files {
            let file = try CheckpointFile.open(path)
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let kind: String
            if file.tensors["comp"] != nil && file.tensors["std"] != nil {
                library.pca = try GANSpacePCA.load(path: path)
                kind = "ganspace-pca"
            } else {
                library.directions[name] = try LatentDirection.load(path: path, name: name)
                kind = "interfacegan"
            }
            library.sources.append(EditSource(name: name, kind: kind, path: path, sha256: SHA256.hex(file.buffer.bytes)))
        }
        return library
    }

    /// Every name `applied` accepts.
    public var names: [String] {
        directions.keys.sorted() + (pca == nil ? [] : GANSpacePreset.allCases.map { "gs_" + $0.rawValue })
    }

    /// Fails early (before any long stage) when a request names an unknown edit.
    public func check(_ requests: [EditRequest]) throws(EditError) {
        for request in requests where !names.contains(request.name) {
            throw EditError("unknown edit '\(request.name)'; available: \(names.isEmpty ? "none (no direction files loaded)" : names.joined(separator: ", "))")
        }
    }

    /// The pivot edited by `name` at `factor`.
    public func applied(_ name: String, factor: Float, to code: LatentCode,
                        halvingInterFaceGAN: Bool = false) throws(EditError) -> LatentCode {
        if let direction = directions[name] {
            return try direction.applied(to: code, factor: halvingInterFaceGAN ? factor / 2 : factor)
        }
        if name.hasPrefix("gs_"), let pca, let preset = GANSpacePreset(rawValue: String(name.dropFirst(3))) {
            return try pca.applied(to: code, component: preset.component, layers: preset.layers, strength: factor)
        }
        throw EditError("unknown edit '\(name)'")
    }
}

/// A loaded edit file, as reports identify it.
public struct EditSource: Sendable, Codable, Equatable {
    public var name: String
    public var kind: String
    public var path: String
    public var sha256: String
}
