/// The test oracle: NVlabs' StyleGAN2-ADA generator (skip architecture, fused modulated conv, fp32 semantics)
/// written as plain scalar loops in Double, one sample at a time, NCHW, weights in PyTorch layout keyed by
/// their state_dict names (specs/stylegan2.md §5.8 forward, §6 backward). Slow and obvious on purpose.
public struct ReferenceGenerator {
    public struct Config: Sendable {
        public var resolution: Int
        public var mappingLayers: Int
        public var channelBase: Int
        public var channelMax: Int
        public var convClamp: Double?
        public var wDim: Int
        public var zDim: Int

        public init(resolution: Int, mappingLayers: Int, channelBase: Int, channelMax: Int,
                    convClamp: Double?, wDim: Int = 512, zDim: Int = 512) {
            self.resolution = resolution; self.mappingLayers = mappingLayers
            self.channelBase = channelBase; self.channelMax = channelMax
            self.convClamp = convClamp; self.wDim = wDim; self.zDim = zDim
        }

        /// C(r) = min(channel_base / r, channel_max)  (§2.2).
        public func channels(_ r: Int) -> Int { min(channelBase / r, channelMax) }
        public var numWs: Int { 2 * log2(resolution) - 2 }
        /// 4, 8, ..., resolution.
        public var blockResolutions: [Int] { (2...log2(resolution)).map { 1 << $0 } }
    }

    public enum NoiseMode: Sendable { case const, none }

    public var config: Config
    /// state_dict tensors (G_ema names such as `synthesis.b8.conv0.weight`, `mapping.fc0.bias`), row-major.
    public var tensors: [String: [Double]]

    public init(config: Config, tensors: [String: [Double]]) {
        self.config = config; self.tensors = tensors
    }

    public func tensor(_ name: String) -> [Double] {
        guard let t = tensors[name] else { fatalError("reference generator: missing tensor \(name)") }
        return t
    }
}

func log2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
