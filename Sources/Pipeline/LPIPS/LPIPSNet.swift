/// The two LPIPS v0.1 trunks (specs/lpips.md §2, §3) and where their weights come from.
public enum LPIPSNet: String, Sendable, CaseIterable {
    case vgg
    case alex

    public var architecture: LPIPSArchitecture {
        switch self {
        case .vgg:
            // conv1_1 … conv5_3, 3×3 pad 1; 2×2/2 pools between blocks; taps at relu1_2 … relu5_3.
            let blocks: [(indices: [Int], channels: Int)] = [([0, 2], 64), ([5, 7], 128), ([10, 12, 14], 256),
                                                              ([17, 19, 21], 512), ([24, 26, 28], 512)]
            var convs: [LPIPSArchitecture.Convolution] = [], inputChannels = 3
            for (b, block) in blocks.enumerated() {
                for (i, index) in block.indices.enumerated() {
                    convs.append(.init(featureIndex: index, inputChannels: inputChannels, outputChannels: block.channels,
                                       kernel: 3, padding: 1, poolBefore: b > 0 && i == 0 ? (2, 2) : nil,
                                       isTap: i == block.indices.count - 1))
                    inputChannels = block.channels
                }
            }
            return LPIPSArchitecture(name: "vgg", convolutions: convs)
        case .alex:
            // conv1 11×11/4 pad 2, conv2 5×5 pad 2, conv3-5 3×3 pad 1; 3×3/2 pools; every ReLU is a tap.
            return LPIPSArchitecture(name: "alex", convolutions: [
                .init(featureIndex: 0, inputChannels: 3, outputChannels: 64, kernel: 11, stride: 4, padding: 2, isTap: true),
                .init(featureIndex: 3, inputChannels: 64, outputChannels: 192, kernel: 5, padding: 2, poolBefore: (3, 2),
                      isTap: true),
                .init(featureIndex: 6, inputChannels: 192, outputChannels: 384, kernel: 3, padding: 1, poolBefore: (3, 2),
                      isTap: true),
                .init(featureIndex: 8, inputChannels: 384, outputChannels: 256, kernel: 3, padding: 1, isTap: true),
                .init(featureIndex: 10, inputChannels: 256, outputChannels: 256, kernel: 3, padding: 1, isTap: true),
            ])
        }
    }

    /// torchvision's published ImageNet file for this trunk (only `features.*` is read).
    public var trunkFileName: String {
        switch self {
        case .vgg: return "vgg16-397923af.pth"
        case .alex: return "alexnet-owt-7be5be79.pth"
        }
    }

    /// The `lpips` package's head file for this trunk (`lpips/weights/v0.1/{vgg,alex}.pth`).
    public var headsFileName: String { "\(rawValue).pth" }
}
