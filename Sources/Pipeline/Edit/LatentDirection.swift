/// An InterFaceGAN-style edit direction in W: either one vector for every layer ([512] or [1,512], as PTI's
/// `age.pt`, `smile.pt`, `rotation.pt`) or one vector per layer ([num_ws,512] or [1,num_ws,512]).
public struct LatentDirection: Sendable {
    public let name: String
    public let wDim: Int
    /// One row (applied to every layer) or one row per layer.
    public let rows: [[Float]]

    public init(name: String, rows: [[Float]]) throws(EditError) {
        guard let wDim = rows.first?.count, wDim > 0, rows.allSatisfy({ $0.count == wDim }) else {
            throw EditError("direction '\(name)' has no rows or rows of different lengths")
        }
        guard rows.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw EditError("direction '\(name)' contains NaN or infinite values")
        }
        self.name = name
        self.wDim = wDim
        self.rows = rows
    }

    /// Reads a direction from any file `CheckpointFile` reads (.pt zip or legacy, .npy, .safetensors).
    /// `key` picks a tensor in a file holding several; a file holding exactly one needs none.
    public static func load(path: String, key: String? = nil, name: String) throws -> LatentDirection {
        let file = try CheckpointFile.open(path)
        let tensorName: String
        if let key {
            tensorName = key
        } else if file.tensors.count == 1, let only = file.tensors.names.first {
            tensorName = only
        } else {
            throw EditError("\(path): holds \(file.tensors.count) tensors (\(file.tensors.names.prefix(5).joined(separator: ", "))); name one as FILE:KEY")
        }
        let tensor = try file.tensors.tensor(tensorName)
        let values = try file.tensors.floats(tensorName)
        // Accept [w], [1,w], [layers,w] and [1,layers,w].
        var shape = tensor.shape
        if shape.count == 3 && shape[0] == 1 { shape.removeFirst() }
        guard (1...2).contains(shape.count), let wDim = shape.last, wDim > 0 else {
            throw EditError("\(path): direction '\(tensorName)' has shape \(tensor.shape); expected [w_dim], [1,w_dim] or [num_ws,w_dim]")
        }
        let rows = stride(from: 0, to: values.count, by: wDim).map { Array(values[$0 ..< $0 + wDim]) }
        return try LatentDirection(name: name, rows: rows)
    }

    /// `code + factor·direction` on every layer (InterFaceGAN, `apply_interfacegan`).
    public func applied(to code: LatentCode, factor: Float) throws(EditError) -> LatentCode {
        guard wDim == code.wDim else {
            throw EditError("direction '\(name)' has w_dim \(wDim) but the generator's is \(code.wDim)")
        }
        guard rows.count == 1 || rows.count == code.numWs else {
            throw EditError("direction '\(name)' has \(rows.count) rows; the generator has \(code.numWs) ws")
        }
        var edited = code
        for layer in 0..<code.numWs {
            let d = rows[rows.count == 1 ? 0 : layer]
            for j in 0..<wDim { edited.values[layer * wDim + j] += factor * d[j] }
        }
        return edited
    }
}

/// A bad edit request or direction file, with a message that says which and why.
public struct EditError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
