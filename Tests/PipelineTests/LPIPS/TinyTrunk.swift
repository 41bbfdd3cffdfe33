import PivotTestSupport

/// A tiny random LPIPS network that exercises every layer kind: 3×3 pad 1, a strided 5×5, a 1×1 conv,
/// 2×2/2 and 3×3/2 max pools, and three taps.
enum TinyTrunk {
    struct Convolution {
        var cout: Int, cin: Int, kernel: Int, stride: Int, padding: Int
        var weight: [Float], bias: [Float]
    }

    enum Layer { case convolution(Convolution), relu, maxPool(window: Int, stride: Int), tap }

    static func layers(_ rng: inout SplitMix64) -> [Layer] {
        func conv(_ cout: Int, _ cin: Int, _ k: Int, stride: Int = 1, padding: Int) -> Layer {
            let scale = (2.0 / Double(cin * k * k)).squareRoot()
            return .convolution(Convolution(
                cout: cout, cin: cin, kernel: k, stride: stride, padding: padding,
                weight: (0..<cout * cin * k * k).map { _ in Float(scale * rng.nextNormal()) },
                bias: (0..<cout).map { _ in Float(0.1 * rng.nextNormal()) }))
        }
        return [conv(5, 3, 3, padding: 1), .relu, .tap, .maxPool(window: 2, stride: 2),
                conv(7, 5, 5, stride: 2, padding: 2), .relu, .tap, .maxPool(window: 3, stride: 2),
                conv(6, 7, 1, padding: 0), .relu, .tap]
    }

    static func heads(_ rng: inout SplitMix64) -> [[Double]] {
        [5, 7, 6].map { c in (0..<c).map { _ in Double(Float(Double.random(in: 0...1, using: &rng))) } }
    }

    static func reference(_ rng: inout SplitMix64) -> ReferenceLPIPS {
        reference(layers(&rng), heads: heads(&rng))
    }

    static func reference(_ layers: [Layer], heads: [[Double]]) -> ReferenceLPIPS {
        ReferenceLPIPS(layers: layers.map {
            switch $0 {
            case .convolution(let c):
                return .convolution(ReferenceConvolution(weightOIHW: c.weight, bias: c.bias, outputChannels: c.cout,
                                                         inputChannels: c.cin, kernel: c.kernel, stride: c.stride,
                                                         padding: c.padding))
            case .relu: return .relu
            case .maxPool(let w, let s): return .maxPool(window: w, stride: s)
            case .tap: return .tap
            }
        }, heads: heads)
    }

    /// An RGB image in [-1, 1], values rounded to Float so both paths see the same input.
    static func image(height: Int, width: Int, _ rng: inout SplitMix64) -> ReferenceImage {
        ReferenceImage(height: height, width: width, channels: 3,
                       values: (0..<height * width * 3).map { _ in Double(Float(Double.random(in: -1...1, using: &rng))) })
    }
}
