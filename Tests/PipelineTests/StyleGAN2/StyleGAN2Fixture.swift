import Testing
import Pipeline
import PivotTestSupport

/// One of the stylegan2 fixtures (fixtures.md §1): the generator file read by the checkpoint readers,
/// and its `_io.safetensors` of reference inputs, outputs and gradients.
struct StyleGAN2Fixture {
    let name: String
    let io: NamedTensors
    let metadata: [String: String]
    let weights: NamedTensors
    let config: ReferenceGenerator.Config

    static let files = ["tiny32": "tiny32.pkl", "small64": "small64_G_ema.pt"]

    init(_ name: String) throws {
        self.name = name
        let contents = try Safetensors.read(path: Fixtures.url("stylegan2/\(name)_io.safetensors").path)
        let meta = contents.metadata
        io = contents.tensors
        metadata = meta
        weights = try CheckpointFile.open(Fixtures.url("stylegan2/\(Self.files[name]!)").path).tensors
        func number(_ key: String) -> Int { Int(meta[key] ?? "") ?? 0 }
        config = ReferenceGenerator.Config(resolution: number("res"), mappingLayers: number("mapping_layers"),
                                           channelBase: number("channel_base"), channelMax: number("channel_max"),
                                           convClamp: Double(meta["conv_clamp"] ?? "none"))
    }

    func ref(_ key: String) throws -> [Float] { try io.floats(key) }

    /// Rows `sample` of a [2, ...] tensor.
    func ref(_ key: String, sample: Int) throws -> [Float] {
        let all = try ref(key), n = all.count / 2
        return Array(all[(sample * n)..<((sample + 1) * n)])
    }

    func oracle() throws -> ReferenceGenerator {
        var tensors: [String: [Double]] = [:]
        for name in weights.names { tensors[name] = try weights.floats(name).map(Double.init) }
        return ReferenceGenerator(config: config, tensors: tensors)
    }

    /// The file's path, for `StyleGAN2Generator(model:)`.
    var path: String { Fixtures.url("stylegan2/\(Self.files[name]!)").path }

    /// The generator as `pivot generate --model` loads it (architecture from the file, not the metadata).
    func generator() throws -> StyleGAN2Generator { try StyleGAN2Generator(model: path) }

    /// ws of one sample as numWs rows.
    func ws(_ key: String, sample: Int) throws -> [[Float]] {
        let flat = try ref(key, sample: sample), wd = flat.count / config.numWs
        return (0..<config.numWs).map { Array(flat[($0 * wd)..<(($0 + 1) * wd)]) }
    }
}

/// NCHW [C][H][W] from NHWC [H][W][C] and back.
func nchw(_ v: [Float], size: Int, channels: Int) -> [Float] {
    var out = [Float](repeating: 0, count: v.count)
    for p in 0..<(size * size) { for c in 0..<channels { out[c * size * size + p] = v[p * channels + c] } }
    return out
}

func nhwc(_ v: [Float], size: Int, channels: Int) -> [Float] {
    var out = [Float](repeating: 0, count: v.count)
    for p in 0..<(size * size) { for c in 0..<channels { out[p * channels + c] = v[c * size * size + p] } }
    return out
}

/// Records max|Δ|/max|ref| against a tolerance, with the label in the failure message.
func expectMatch<A: Collection, B: Collection>(_ label: String, _ actual: A, _ expected: B, _ tolerance: Double,
                                               log: Bool = false)
where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    let c = compare(actual, expected)
    if log { print("\(label): \(c.relativeToMax)") }
    #expect(c.relativeToMax <= tolerance, "\(label): \(c)")
}
