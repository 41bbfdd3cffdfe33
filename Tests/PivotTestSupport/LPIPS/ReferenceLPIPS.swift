/// The scalar oracle for LPIPS v0.1 (specs/lpips.md §1): ScalingLayer, a trunk whose ReLU outputs are tapped,
/// per-pixel normalisation, lin heads and spatial means, plus the gradient of the distance with respect to x0.
/// Everything in Double, written for clarity; the fast Float path in Pipeline is checked against it.
public struct ReferenceLPIPS {
    public enum Layer {
        case convolution(ReferenceConvolution)
        case relu
        case maxPool(window: Int, stride: Int)
        /// The current activation is an LPIPS tap (the next head applies to it).
        case tap
    }

    public let layers: [Layer]
    /// One lin-head weight vector per tap, in tap order.
    public let heads: [[Double]]

    /// ScalingLayer buffers, as the float32 values PyTorch stores (`lpips.py:147-154`).
    public static let shift: [Double] = [Float(-0.030), Float(-0.088), Float(-0.188)].map(Double.init)
    public static let scale: [Double] = [Float(0.458), Float(0.448), Float(0.450)].map(Double.init)

    public init(layers: [Layer], heads: [[Double]]) {
        self.layers = layers
        self.heads = heads
    }

    public struct Result {
        public var distance: Double
        public var layerTerms: [Double]
    }

    /// LPIPS(x0, x1) with its per-layer terms; images are RGB in [-1, 1].
    public func distance(_ x0: ReferenceImage, _ x1: ReferenceImage) -> Result {
        let taps0 = run(x0).taps, taps1 = run(x1).taps
        let terms = heads.indices.map { k in
            ReferenceLayers.headTerm(ReferenceLayers.normalize(taps0[k]), ReferenceLayers.normalize(taps1[k]),
                                     weights: heads[k])
        }
        return Result(distance: terms.reduce(0, +), layerTerms: terms)
    }

    /// LPIPS(x0, x1) and ∂LPIPS(x0, x1)/∂x0, from one forward pass of each image.
    public func distanceAndGradient(_ x0: ReferenceImage, _ x1: ReferenceImage)
        -> (result: Result, gradient: ReferenceImage) {
        let forward0 = run(x0), taps1 = run(x1).taps
        let terms = heads.indices.map { k in
            ReferenceLayers.headTerm(ReferenceLayers.normalize(forward0.taps[k]), ReferenceLayers.normalize(taps1[k]),
                                     weights: heads[k])
        }
        var tapIndex = heads.count
        var grad: ReferenceImage? = nil
        for (position, layer) in layers.enumerated().reversed() {
            let input = forward0.activations[position]
            switch layer {
            case .tap:
                tapIndex -= 1
                let f0 = input
                let dn = ReferenceLayers.headTermBackward(ReferenceLayers.normalize(f0), ReferenceLayers.normalize(taps1[tapIndex]),
                                                          weights: heads[tapIndex])
                let df = ReferenceLayers.normalizeBackward(dn, input: f0)
                grad = grad.map { sum($0, df) } ?? df
            case .relu:
                grad = grad.map { ReferenceLayers.reluBackward($0, output: forward0.activations[position + 1]) }
            case .maxPool(let window, let stride):
                grad = grad.map { ReferenceLayers.maxPoolBackward($0, input: input, window: window, stride: stride) }
            case .convolution(let conv):
                grad = grad.map { conv.backwardData($0, inputHeight: input.height, inputWidth: input.width) }
            }
        }
        var dx = grad ?? ReferenceImage(height: x0.height, width: x0.width, channels: 3)
        for i in dx.values.indices { dx.values[i] /= Self.scale[i % 3] }
        return (Result(distance: terms.reduce(0, +), layerTerms: terms), dx)
    }

    /// The trunk's tap activations (ReLU outputs) for image x.
    public func taps(_ x: ReferenceImage) -> [ReferenceImage] { run(x).taps }

    /// Runs the trunk on the scaled image; `activations[i]` is the input of `layers[i]` (the last entry is the
    /// trunk output), and `taps` are the activations marked by `.tap`.
    private func run(_ x: ReferenceImage) -> (activations: [ReferenceImage], taps: [ReferenceImage]) {
        precondition(x.channels == 3, "ReferenceLPIPS: expects RGB")
        var current = x
        for i in current.values.indices { current.values[i] = (current.values[i] - Self.shift[i % 3]) / Self.scale[i % 3] }
        var activations = [current], taps: [ReferenceImage] = []
        for layer in layers {
            switch layer {
            case .convolution(let conv): current = conv.forward(current)
            case .relu: current = ReferenceLayers.relu(current)
            case .maxPool(let window, let stride): current = ReferenceLayers.maxPool(current, window: window, stride: stride)
            case .tap: taps.append(current)
            }
            activations.append(current)
        }
        return (activations, taps)
    }

    private func sum(_ a: ReferenceImage, _ b: ReferenceImage) -> ReferenceImage {
        var c = a
        for i in c.values.indices { c.values[i] += b.values[i] }
        return c
    }
}
