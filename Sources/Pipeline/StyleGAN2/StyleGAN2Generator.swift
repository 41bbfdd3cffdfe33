/// The StyleGAN2(-ADA) generator G_ema: mapping network plus synthesis network, float32, NHWC, one sample.
public struct StyleGAN2Generator: Sendable {
    public var mapping: MappingNetwork
    public var synthesis: SynthesisNetwork

    public var resolution: Int { synthesis.resolution }
    public var numWs: Int { synthesis.numWs }

    /// ws for a latent z: mapping, then truncation (psi 1 = none).
    public func ws(z: [Float], psi: Float = 1, cutoff: Int? = nil) -> [[Float]] {
        mapping.truncate(mapping(z), psi: psi, cutoff: cutoff, count: numWs)
    }
}

/// A checkpoint does not hold a usable generator (the message names the file and the tensor).
public struct GeneratorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension StyleGAN2Generator {
    /// Builds the generator from G_ema state_dict tensors (stylegan2.md §7.4), looked up by name; channel
    /// counts are read from the tensors and every size is checked. `source` names the file in errors.
    public init(resolution: Int, mappingLayers: Int, convClamp: Float?, source: String,
                tensor: (String) throws -> [Float]) throws {
        guard resolution >= 4, resolution <= 4096, resolution & (resolution - 1) == 0 else {
            throw GeneratorError("\(source): resolution \(resolution) is not a power of two in 4...4096")
        }
        func load(_ name: String, _ count: Int) throws -> [Float] {
            let t = try tensor(name)
            guard t.count == count else {
                throw GeneratorError("\(source): \(name) has \(t.count) values, expected \(count)")
            }
            return t
        }
        func channels(_ r: Int) throws -> Int {
            let c = try tensor("synthesis.b\(r).conv1.bias").count
            guard c > 0, c <= 1 << 16 else { throw GeneratorError("\(source): synthesis.b\(r).conv1.bias is empty or huge") }
            return c
        }
        let wAvg = try tensor("mapping.w_avg")
        let wDim = wAvg.count
        guard wDim > 0 else { throw GeneratorError("\(source): mapping.w_avg is empty") }
        var layers: [MappingNetwork.Layer] = []
        let zDim = try tensor("mapping.fc0.weight").count / wDim
        for i in 0..<mappingLayers {
            let inputs = i == 0 ? zDim : wDim
            layers.append(.init(weight: try load("mapping.fc\(i).weight", wDim * inputs),
                                bias: try load("mapping.fc\(i).bias", wDim)))
        }
        func layer(_ prefix: String, inputs: Int, outputs: Int, resolution r: Int, up: Bool) throws -> SynthesisLayer {
            SynthesisLayer(inputs: inputs, outputs: outputs, resolution: r, up: up,
                           weight: try load("\(prefix).weight", outputs * inputs * 9),
                           bias: try load("\(prefix).bias", outputs),
                           noiseStrength: try load("\(prefix).noise_strength", 1),
                           noiseConst: try load("\(prefix).noise_const", r * r),
                           affineWeight: try load("\(prefix).affine.weight", inputs * wDim),
                           affineBias: try load("\(prefix).affine.bias", inputs))
        }
        var blocks: [SynthesisNetwork.Block] = []
        var r = 4
        while r <= resolution {
            let c = try channels(r), name = "synthesis.b\(r)"
            let conv0 = r == 4 ? nil : try layer("\(name).conv0", inputs: try channels(r / 2), outputs: c, resolution: r, up: true)
            let conv1 = try layer("\(name).conv1", inputs: c, outputs: c, resolution: r, up: false)
            let toRGB = ToRGBLayer(inputs: c, resolution: r, weight: try load("\(name).torgb.weight", 3 * c),
                                   bias: try load("\(name).torgb.bias", 3),
                                   affineWeight: try load("\(name).torgb.affine.weight", c * wDim),
                                   affineBias: try load("\(name).torgb.affine.bias", c))
            blocks.append(.init(resolution: r, conv0: conv0, conv1: conv1, toRGB: toRGB))
            r *= 2
        }
        let const = try load("synthesis.b4.const", try channels(4) * 16)
        mapping = MappingNetwork(layers: layers, wAvg: wAvg, zDim: zDim)
        synthesis = SynthesisNetwork(const: const, blocks: blocks, convClamp: convClamp, wDim: wDim)
    }
}

extension StyleGAN2Generator {
    /// z for `pivot generate --seed N`: zDim N(0,1) values from SplitMix64 (Box–Muller). This is Pivot's own
    /// stream; it cannot reproduce torch's RNG, so seed N gives a different face than NVlabs' seed N.
    public func latent(seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<mapping.zDim).map { _ in rng.nextNormal() }
    }
}
