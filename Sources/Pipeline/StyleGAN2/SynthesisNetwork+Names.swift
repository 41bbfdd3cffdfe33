/// The synthesis tensors under their G_ema state_dict names (stylegan2.md §7.4), for saving a tuned
/// generator, optimiser updates and gradient checks: `synthesis.b4.const`, `synthesis.b8.conv0.weight`, ...
extension SynthesisNetwork {
    public typealias TensorPath = WritableKeyPath<SynthesisNetwork, [Float]>

    /// Every parameter and noise_const buffer with its name, in state_dict order. On a gradient
    /// (`Gradients.parameters`) the noise_const entries are zero; noise gradients are in `Gradients.noise`.
    public var tensorPaths: [(name: String, path: TensorPath)] {
        var paths: [(String, TensorPath)] = [("synthesis.b4.const", \.const)]
        for (b, block) in blocks.enumerated() {
            let prefix = "synthesis.b\(block.resolution)"
            var layers: [(String, WritableKeyPath<SynthesisNetwork, SynthesisLayer>)] = [("conv1", \.blocks[b].conv1)]
            if block.conv0 != nil { layers.insert(("conv0", \.blocks[b].conv0!), at: 0) }
            for (conv, layer) in layers {
                for (field, path) in SynthesisLayer.tensorPaths {
                    paths.append(("\(prefix).\(conv).\(field)", layer.appending(path: path)))
                }
            }
            let rgb: WritableKeyPath<SynthesisNetwork, ToRGBLayer> = \.blocks[b].toRGB
            for (field, path) in ToRGBLayer.tensorPaths {
                paths.append(("\(prefix).torgb.\(field)", rgb.appending(path: path)))
            }
        }
        return paths
    }

    /// The tensors pivotal tuning trains: every parameter, not the noise_const buffers (specs/pti.md §4.1).
    public var trainablePaths: [(name: String, path: TensorPath)] {
        tensorPaths.filter { !$0.name.hasSuffix(".noise_const") }
    }

    /// Each conv layer's noise_const map, in `layers` order (the projector optimises these).
    public var noiseConstPaths: [TensorPath] {
        tensorPaths.filter { $0.name.hasSuffix(".noise_const") }.map(\.path)
    }

    /// `body` on the tensor at `path`, in place. `&self[keyPath: path]` would copy the whole tensor first:
    /// key-path application reads the enclosing `blocks` element and writes it back, so the array is shared
    /// when `body` mutates it (a copy of every weight tensor per tuning step). Taken out of the network
    /// first, it is uniquely referenced.
    public mutating func modifyTensor<R>(_ path: TensorPath, _ body: (inout [Float]) throws -> R) rethrows -> R {
        var tensor = self[keyPath: path]
        self[keyPath: path] = []
        defer { self[keyPath: path] = tensor }
        return try body(&tensor)
    }

    public func namedTensors() -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: tensorPaths.map { ($0.name, self[keyPath: $0.path]) })
    }

    /// The state_dict name of conv layer i in `layers` order (`synthesis.b8.conv0`, ...).
    public func layerName(_ index: Int) -> String {
        let names = blocks.flatMap { b in (b.conv0 == nil ? ["conv1"] : ["conv0", "conv1"]).map { "synthesis.b\(b.resolution).\($0)" } }
        return names[index]
    }
}

extension SynthesisLayer {
    static var tensorPaths: [(String, WritableKeyPath<SynthesisLayer, [Float]>)] { [
        ("weight", \.weight), ("bias", \.bias), ("noise_strength", \.noiseStrength), ("noise_const", \.noiseConst),
        ("affine.weight", \.affineWeight), ("affine.bias", \.affineBias),
    ] }
}

extension ToRGBLayer {
    static var tensorPaths: [(String, WritableKeyPath<ToRGBLayer, [Float]>)] { [
        ("weight", \.weight), ("bias", \.bias), ("affine.weight", \.affineWeight), ("affine.bias", \.affineBias),
    ] }
}
