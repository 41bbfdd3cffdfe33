/// The architecture of a StyleGAN2(-ADA) generator (stylegan2.md §2): what decides every tensor's shape
/// and the few constants the forward pass needs (clamp, mapping learning-rate multiplier).
public struct GeneratorConfig: Codable, Equatable, Sendable {
    /// Output resolution R (a power of two, ≥ 4).
    public var resolution: Int
    public var zDim: Int
    public var wDim: Int
    /// Label size (0: unconditional).
    public var cDim: Int
    public var imageChannels: Int
    public var mappingLayers: Int
    public var channelBase: Int
    public var channelMax: Int
    /// Activation clamp of the synthesis layers (nil: none).
    public var convClamp: Double?
    /// GPU fp16 setting, kept for the record (Pivot computes in fp32).
    public var numFP16Res: Int
    public var mappingLRMultiplier: Double
    public var wAvgBeta: Double
    /// Only the "skip" architecture exists in Pivot.
    public var architecture: String

    /// Largest values accepted from a file, so no checkpoint header can ask for absurd allocations.
    static let maxResolution = 4096, maxDimension = 8192, maxMappingLayers = 64, maxChannels = 16384

    public init(resolution: Int, zDim: Int = 512, wDim: Int = 512, cDim: Int = 0, imageChannels: Int = 3,
                mappingLayers: Int = 8, channelBase: Int = 32768, channelMax: Int = 512, convClamp: Double? = nil,
                numFP16Res: Int = 0, mappingLRMultiplier: Double = 0.01, wAvgBeta: Double = 0.995,
                architecture: String = "skip") throws(ArchitectureError) {
        self.resolution = resolution
        self.zDim = zDim
        self.wDim = wDim
        self.cDim = cDim
        self.imageChannels = imageChannels
        self.mappingLayers = mappingLayers
        self.channelBase = channelBase
        self.channelMax = channelMax
        self.convClamp = convClamp
        self.numFP16Res = numFP16Res
        self.mappingLRMultiplier = mappingLRMultiplier
        self.wAvgBeta = wAvgBeta
        self.architecture = architecture
        try validate()
    }

    func validate() throws(ArchitectureError) {
        guard resolution >= 4, resolution <= Self.maxResolution, resolution & (resolution - 1) == 0 else {
            throw ArchitectureError("resolution \(resolution) is not a power of two in 4...\(Self.maxResolution)")
        }
        guard (1...Self.maxDimension).contains(zDim), (1...Self.maxDimension).contains(wDim),
              (0...Self.maxDimension).contains(cDim), (1...16).contains(imageChannels) else {
            throw ArchitectureError("z_dim \(zDim), w_dim \(wDim), c_dim \(cDim) or img_channels \(imageChannels) out of range")
        }
        guard (1...Self.maxMappingLayers).contains(mappingLayers) else {
            throw ArchitectureError("mapping layers \(mappingLayers) out of range 1...\(Self.maxMappingLayers)")
        }
        guard (1...Self.maxChannels).contains(channelMax), channelBase >= resolution,
              channelBase <= Self.maxChannels * Self.maxResolution else {
            throw ArchitectureError("channel_base \(channelBase) / channel_max \(channelMax) give no channels at \(resolution)")
        }
        guard architecture == "skip" else { throw ArchitectureError("architecture '\(architecture)' (only 'skip' is supported)") }
        if let clamp = convClamp, !(clamp > 0 && clamp.isFinite) { throw ArchitectureError("conv_clamp \(clamp) is not positive") }
    }

    /// Block resolutions 4, 8, …, R.
    public var blockResolutions: [Int] { Array(sequence(first: 4) { $0 * 2 }.prefix { $0 <= resolution }) }

    /// C(r) = min(channel_base / r, channel_max).
    public func channels(at r: Int) -> Int { min(channelBase / r, channelMax) }

    /// 2·log2(R) − 2: one w per conv layer, plus one for the last ToRGB.
    public var numWs: Int { 2 * resolution.trailingZeroBitCount - 2 }
}

/// A generator architecture that is invalid or does not match the tensors.
public struct ArchitectureError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
