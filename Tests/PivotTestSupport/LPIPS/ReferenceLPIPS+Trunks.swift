/// The two LPIPS trunks as layer lists (specs/lpips.md §2, §3), built from torchvision `features.{i}` tensors.
extension ReferenceLPIPS {
    /// Looks up `features.{index}.weight` (`[Cout, Cin, k, k]`) and `.bias` for a torchvision feature index.
    public typealias FeatureTensors = (_ index: Int) throws -> (weight: [Float], bias: [Float])

    /// VGG16 `features` up to relu5_3: 3×3 pad-1 convs, 2×2 max pools, taps at relu1_2 … relu5_3.
    public static func vgg16(features: FeatureTensors, heads: [[Double]]) throws -> ReferenceLPIPS {
        let blocks: [(indices: [Int], channels: Int)] = [([0, 2], 64), ([5, 7], 128), ([10, 12, 14], 256),
                                                          ([17, 19, 21], 512), ([24, 26, 28], 512)]
        var layers: [Layer] = [], inputChannels = 3
        for (b, block) in blocks.enumerated() {
            if b > 0 { layers.append(.maxPool(window: 2, stride: 2)) }
            for index in block.indices {
                let t = try features(index)
                layers.append(.convolution(ReferenceConvolution(
                    weightOIHW: t.weight, bias: t.bias, outputChannels: block.channels, inputChannels: inputChannels,
                    kernel: 3, padding: 1)))
                layers.append(.relu)
                inputChannels = block.channels
            }
            layers.append(.tap)
        }
        return ReferenceLPIPS(layers: layers, heads: heads)
    }

    /// AlexNet `features` up to relu5: conv1 11×11/4 pad 2, conv2 5×5 pad 2, conv3-5 3×3 pad 1, 3×3/2 max pools.
    public static func alexNet(features: FeatureTensors, heads: [[Double]]) throws -> ReferenceLPIPS {
        let convs: [(index: Int, cin: Int, cout: Int, kernel: Int, stride: Int, padding: Int, poolBefore: Bool)] = [
            (0, 3, 64, 11, 4, 2, false), (3, 64, 192, 5, 1, 2, true), (6, 192, 384, 3, 1, 1, true),
            (8, 384, 256, 3, 1, 1, false), (10, 256, 256, 3, 1, 1, false),
        ]
        var layers: [Layer] = []
        for c in convs {
            if c.poolBefore { layers.append(.maxPool(window: 3, stride: 2)) }
            let t = try features(c.index)
            layers.append(.convolution(ReferenceConvolution(
                weightOIHW: t.weight, bias: t.bias, outputChannels: c.cout, inputChannels: c.cin,
                kernel: c.kernel, stride: c.stride, padding: c.padding)))
            layers += [.relu, .tap]
        }
        return ReferenceLPIPS(layers: layers, heads: heads)
    }
}
