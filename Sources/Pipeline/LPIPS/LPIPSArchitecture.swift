/// An LPIPS trunk as a list of convolutions, each followed by a ReLU, optionally preceded by a max pool and
/// optionally tapped. VGG16 and AlexNet are two instances (`LPIPSNet`); tests build tiny ones.
public struct LPIPSArchitecture: Sendable {
    public struct Convolution: Sendable {
        /// Index in torchvision's `features` (the checkpoint key is `features.{index}.weight/bias`).
        public var featureIndex: Int
        public var inputChannels: Int
        public var outputChannels: Int
        public var kernel: Int
        public var stride: Int
        public var padding: Int
        /// Floor-mode max pool (window, stride) applied to this convolution's input.
        public var poolBefore: (window: Int, stride: Int)?
        /// This convolution's ReLU output is an LPIPS tap.
        public var isTap: Bool

        public init(featureIndex: Int, inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1,
                    padding: Int, poolBefore: (window: Int, stride: Int)? = nil, isTap: Bool) {
            self.featureIndex = featureIndex
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.poolBefore = poolBefore
            self.isTap = isTap
        }
    }

    public var name: String
    public var convolutions: [Convolution]

    public init(name: String, convolutions: [Convolution]) {
        self.name = name
        self.convolutions = convolutions
    }

    /// Channels of each tap, i.e. the lengths of the lin heads.
    public var tapChannels: [Int] { convolutions.filter(\.isTap).map(\.outputChannels) }
}
