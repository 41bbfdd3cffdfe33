import Foundation

/// One image rendered from a latent (`pivot generate`): the ws it was drawn with and the synthesis output.
public struct RenderedImage {
    /// numWs rows of wDim values.
    public let ws: [[Float]]
    /// [R][R][3] NHWC, nominal range [-1, 1], not clamped.
    public let image: [Float]
    public let resolution: Int

    /// The output file extensions `write` understands.
    public static let fileExtensions = ["png", "jpg", "jpeg", "webp", "safetensors"]

    /// The image in PyTorch's layout, [3][R][R].
    public var imageNCHW: [Float] {
        let pixels = resolution * resolution
        var nchw = [Float](repeating: 0, count: image.count)
        for p in 0..<pixels { for c in 0..<3 { nchw[c * pixels + p] = image[p * 3 + c] } }
        return nchw
    }

    /// Writes atomically, by extension: .png/.jpg/.jpeg/.webp as 8-bit RGB (NVlabs' mapping from [-1, 1]);
    /// .safetensors as float32 `img` (NCHW [1, 3, R, R]) and `ws` ([1, numWs, wDim]) with `metadata`.
    public func write(to path: String, metadata: [String: String] = [:]) throws {
        let fileExtension = (path as NSString).pathExtension.lowercased()
        let encoding: ImageEncoding
        switch fileExtension {
        case "safetensors":
            var tensors = NamedTensors(source: path)
            tensors.set("img", try CheckpointTensor(floats: imageNCHW, shape: [1, 3, resolution, resolution]))
            tensors.set("ws", try CheckpointTensor(floats: ws.flatMap { $0 }, shape: [1, ws.count, ws.first?.count ?? 0]))
            try Safetensors.write(tensors, metadata: metadata, to: path)
            return
        case "png": encoding = .png
        case "jpg", "jpeg": encoding = .jpeg(quality: 95)
        case "webp": encoding = .webp(quality: 95)
        default:
            throw GeneratorError("\(path): unknown output type '.\(fileExtension)' (use \(Self.fileExtensions.map { "." + $0 }.joined(separator: ", ")))")
        }
        let rgb = RGBImage(normalizedNHWC: image, width: resolution, height: resolution)
        try ImageCodec.write(rgb, to: URL(fileURLWithPath: path), as: encoding)
    }
}

extension StyleGAN2Generator {
    /// z → ws (mapping, then truncation by psi on the first `cutoff` slots) → image.
    public func render(z: [Float], psi: Float = 1, cutoff: Int? = nil, noise: NoiseMode = .const) throws -> RenderedImage {
        guard z.count == mapping.zDim else {
            throw GeneratorError("z has \(z.count) values; the generator takes \(mapping.zDim)")
        }
        let ws = ws(z: z, psi: psi, cutoff: cutoff)
        return RenderedImage(ws: ws, image: synthesis.forward(ws: ws, noise: noise, keep: false).image, resolution: resolution)
    }

    /// z from `FILE.safetensors[:KEY]`: tensor KEY, else the file's only tensor, else `z`; it must hold zDim values.
    public func latent(file spec: String) throws -> [Float] {
        var path = spec, key: String? = nil
        if let colon = spec.lastIndex(of: ":"), !spec[colon...].contains("/"), !spec.hasSuffix(".safetensors") {
            path = String(spec[..<colon])
            key = String(spec[spec.index(after: colon)...])
        }
        let tensors = try Safetensors.read(path: path).tensors
        let name = key ?? (tensors.count == 1 ? tensors.names[0] : "z")
        let values = try tensors.floats(name)
        guard values.count == mapping.zDim else {
            throw GeneratorError("\(path): tensor '\(name)' has \(values.count) values; the generator's z needs \(mapping.zDim)")
        }
        return values
    }
}
