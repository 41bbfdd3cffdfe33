import SIMDKernels

/// The convolution cases of `pivot bench kernels`: StyleGAN2's 3×3 modulated-conv layers (the conv
/// with per-sample modulated weights is a plain 3×3/1/1 conv; the modulation itself is elementwise and
/// not timed here), StyleGAN2's upsampling conv0 and last ToRGB, and the LPIPS projector's VGG16
/// conv1_1, conv1_2, conv3_1 and AlexNet conv1 (3 input channels, 11×11 stride 4).
/// Layers that take the Winograd path are timed on it and on the implicit GEMM; their GFLOP/s count the
/// direct convolution's multiply-adds (effective throughput), so above 100% of peak means fewer multiplies.
enum ConvolutionCases {
    static func all(quick: Bool) -> [KernelBenchmark.Case] {
        let layers: [(String, Conv2D)] = quick
            ? [("StyleGAN2 conv 32x32", conv(32, 256)), ("StyleGAN2 conv 256x256", conv(256, 32))]
            : [("StyleGAN2 conv 4x4", conv(4, 256)), ("StyleGAN2 conv 32x32", conv(32, 256)),
               ("StyleGAN2 conv 128x128", conv(128, 256)), ("StyleGAN2 conv 1024x1024", conv(1024, 32)),
               ("VGG16 conv1_1 (256² input)", try! Conv2D(batch: 1, height: 256, width: 256, inputChannels: 3,
                                                          outputChannels: 64, kernel: 3, padding: 1)),
               ("AlexNet conv1 (1024² input)", try! Conv2D(batch: 1, height: 1024, width: 1024, inputChannels: 3,
                                                           outputChannels: 64, kernel: 11, stride: 4, padding: 2)),
               ("VGG16 conv1_2 (256² input)", conv(256, 64)),
               ("VGG16 conv3_1 (256² input)", try! Conv2D(batch: 1, height: 64, width: 64, inputChannels: 128,
                                                          outputChannels: 256, kernel: 3, padding: 1))]
        let upsampling = quick
            ? [("StyleGAN2 conv0 16->32", try! UpsampleConv2D(batch: 1, height: 16, width: 16, inputChannels: 256, outputChannels: 256))]
            : [("StyleGAN2 conv0 64->128", try! UpsampleConv2D(batch: 1, height: 64, width: 64, inputChannels: 256, outputChannels: 256))]
              + paper256UpsamplingLayers
        // The weight gradients of the other StyleGAN2 3×3 layers (paper256 and config F), which PTI's tuning
        // step runs on every step.
        let weightGradientLayers = quick ? [] : [conv(32, 512), conv(64, 256), conv(128, 128), conv(256, 64), conv(512, 64)]
        return layers.flatMap { cases($0.0, $0.1) } + upsampling.flatMap { cases($0.0, $0.1) }
            + (quick ? [] : paper256SameSizeLayers.flatMap { cases($0.0, $0.1) })
            + toRGBCases(size: quick ? 64 : 256, channels: 64)
            + weightGradientLayers.flatMap { weightGradientCases("StyleGAN2 conv \($0.height)x\($0.width)", $0) }
    }

    /// The four conv0 layers of the paper256 generator (`pivot bench generator --res 256`), input size → output
    /// size: the largest share of its forward pass and of PTI's backward passes.
    static let paper256UpsamplingLayers = [(16, 512, 512), (32, 512, 256), (64, 256, 128), (128, 128, 64)].map {
        size, inputs, outputs in
        ("paper256 conv0 \(size)->\(2 * size)", try! UpsampleConv2D(batch: 1, height: size, width: size,
                                                                      inputChannels: inputs, outputChannels: outputs))
    }

    /// The conv1 layers of the paper256 generator from 8² to 64² (the larger ones are StyleGAN2's usual 128² and
    /// 256² shapes), each also on Winograd where it fits (so the 16² layer, which `.automatic` keeps on the
    /// implicit GEMM, is timed on both).
    static let paper256SameSizeLayers = [(8, 512), (16, 512), (32, 512), (64, 256)].map { size, channels in
        var layer = conv(size, channels)
        if size >= 16 { layer.algorithm = .winograd }
        return ("paper256 conv1 \(size)x\(size)", layer)
    }

    /// A 3×3, stride 1, padding 1 layer on a size×size map with `channels` in and out.
    static func conv(_ size: Int, _ channels: Int) -> Conv2D {
        try! Conv2D(batch: 1, height: size, width: size, inputChannels: channels, outputChannels: channels,
                    kernel: 3, padding: 1)
    }

    static func label(_ size: (Int, Int), _ cin: Int, _ cout: Int) -> String {
        "\(size.0)x\(size.1)x\(cin) -> \(cout)"
    }

    static func cases(_ name: String, _ s: Conv2D) -> [KernelBenchmark.Case] {
        let x = Buffer(randomCount: s.inputCount), w = Buffer(randomCount: s.weightCount)
        let y = Buffer(count: s.outputCount), dy = Buffer(randomCount: s.outputCount)
        let dx = Buffer(count: s.inputCount)
        let shape = label((s.height, s.width), s.inputChannels, s.outputChannels), flops = 2 * Double(s.multiplyAdds)
        return passes(name, s).flatMap { name, s -> [KernelBenchmark.Case] in
            [.init(name: name + " fwd", shape: shape, flops: flops) {
                s.forward(input: x.pointer, weights: w.pointer, bias: nil, output: y.pointer)
            },
            .init(name: name + " dX", shape: shape, flops: flops) {
                s.backwardData(outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer)
            }]
        } + weightGradientCases(name, s)
    }

    /// The weight gradient (no bias) on each path of `passes`.
    static func weightGradientCases(_ name: String, _ s: Conv2D) -> [KernelBenchmark.Case] {
        let x = Buffer(randomCount: s.inputCount), dy = Buffer(randomCount: s.outputCount)
        let dw = Buffer(count: s.weightCount)
        let shape = label((s.height, s.width), s.inputChannels, s.outputChannels), flops = 2 * Double(s.multiplyAdds)
        return passes(name, s).map { name, s in
            .init(name: name + " dW", shape: shape, flops: flops) {
                s.backwardWeights(input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer,
                                  biasGradient: nil)
            }
        }
    }

    /// The layer forced onto Winograd and onto the implicit GEMM when it takes Winograd, else as it is. (The
    /// automatic weight gradient of a layer with few channels is the GEMM's: `usesWinogradForWeightGradient`.)
    static func passes(_ name: String, _ s: Conv2D) -> [(String, Conv2D)] {
        var winograd = s, direct = s
        winograd.algorithm = .winograd
        direct.algorithm = .implicitGemm
        return s.usesWinograd ? [(name + " Winograd", winograd), (name + " implicit GEMM", direct)] : [(name, s)]
    }

    /// StyleGAN2's last ToRGB (1×1, channels → 3) on `NarrowConv1x1`, and as the two GEMMs it replaced.
    static func toRGBCases(size: Int, channels: Int) -> [KernelBenchmark.Case] {
        let pixels = size * size, x = Buffer(randomCount: pixels * channels), w = Buffer(randomCount: 3 * channels)
        let y = Buffer(count: pixels * 3), dy = Buffer(randomCount: pixels * 3)
        let dx = Buffer(count: pixels * channels), dw = Buffer(count: 3 * channels)
        let name = "StyleGAN2 ToRGB \(size)²", shape = label((size, size), channels, 3), flops = Double(6 * pixels * channels)
        return [
            .init(name: name + " fwd", shape: shape, flops: flops) {
                NarrowConv1x1.forward(x.pointer, pixels: pixels, inputs: channels, weights: w.pointer, outputs: 3,
                                      output: y.pointer)
            },
            .init(name: name + " fwd on sgemm", shape: shape, flops: flops) {
                sgemm(.none, .transposed, m: pixels, n: 3, k: channels, alpha: 1, a: x.pointer, lda: channels,
                      b: w.pointer, ldb: channels, beta: 0, c: y.pointer, ldc: 3)
            },
            .init(name: name + " dX+dW", shape: shape, flops: 2 * flops) {
                NarrowConv1x1.backward(x.pointer, gradOutput: dy.pointer, pixels: pixels, inputs: channels,
                                       weights: w.pointer, outputs: 3, inputGradient: dx.pointer, weightGradient: dw.pointer)
            },
            .init(name: name + " dX+dW on sgemm", shape: shape, flops: 2 * flops) {
                sgemm(.none, .none, m: pixels, n: channels, k: 3, alpha: 1, a: dy.pointer, lda: 3,
                      b: w.pointer, ldb: channels, beta: 0, c: dx.pointer, ldc: channels)
                sgemm(.transposed, .none, m: channels, n: 3, k: pixels, alpha: 1, a: x.pointer, lda: channels,
                      b: dy.pointer, ldb: 3, beta: 0, c: dw.pointer, ldc: 3)
            },
        ]
    }

    static func cases(_ name: String, _ s: UpsampleConv2D) -> [KernelBenchmark.Case] {
        let x = Buffer(randomCount: s.inputCount), w = Buffer(randomCount: s.weightCount)
        let y = Buffer(count: s.outputCount), dy = Buffer(randomCount: s.outputCount)
        let dx = Buffer(count: s.inputCount), dw = Buffer(count: s.weightCount)
        let shape = label((s.height, s.width), s.inputChannels, s.outputChannels), flops = 2 * Double(s.multiplyAdds)
        return [
            .init(name: name + " fwd", shape: shape, flops: flops) {
                s.forward(input: x.pointer, weights: w.pointer, output: y.pointer)
            },
            .init(name: name + " dX", shape: shape, flops: flops) {
                s.backwardData(outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer)
            },
            .init(name: name + " dW", shape: shape, flops: flops) {
                s.backwardWeights(input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer)
            },
        ]
    }
}
