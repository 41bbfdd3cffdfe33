/// LPIPS v0.1 (specs/lpips.md) on the SIMDKernels core, NHWC, Float: a frozen trunk, per-pixel normalisation
/// and lin heads, with the gradient of the distance with respect to the input image (never the weights).
///
///     let lpips = LPIPS(weights: try .load(net: .alex, trunk: trunkURL, heads: headsURL))
///     let target = try lpips.prepareTarget(real, height: 1024, width: 1024)   // once
///     let (d, grad) = try lpips.distanceAndGradient(generated, to: target)   // every step
///
/// Images are `height × width × 3` floats in [−1, 1] (LPIPS's `normalize=False` convention).
public final class LPIPS: Sendable {
    public let architecture: LPIPSArchitecture
    /// The trunk is seeded noise (no torchvision file was given): say so wherever the distance is reported.
    public let trunkIsRandom: Bool
    let convolutions: [LPIPSConvolutionLayer]
    let heads: [LPIPSHead]

    public init(weights: LPIPSWeights) {
        architecture = weights.architecture
        trunkIsRandom = weights.trunkIsRandom
        convolutions = zip(weights.architecture.convolutions, weights.convolutions).map {
            LPIPSConvolutionLayer($0, weight: $1.weight, bias: $1.bias)
        }
        heads = weights.heads.map(LPIPSHead.init)
    }

    /// The target image's normalised tap features, and the trunk's weights transformed for the Winograd
    /// layers (packed for the implicit-GEMM ones) at this size: computed once and reused by every call against the target. A target only
    /// measured with `distance` needs no backward weights (`forGradients: false`).
    public func prepareTarget(_ image: [Float], height: Int, width: Int, forGradients: Bool = true) throws -> LPIPSTarget {
        let prepared = try zip(convolutions, convolutionShapes(height: height, width: width)).map { layer, conv in
            layer.preparedWeights(for: conv, backward: forGradients)
        }
        let pass = try trunkForward(image, height: height, width: width, prepared: prepared)
        return LPIPSTarget(height: height, width: width,
                           normalizedTaps: pass.taps.map { LPIPSNormalization.forward($0) }, prepared: prepared)
    }

    /// LPIPS(image, target) and its per-layer terms.
    public func distance(_ image: [Float], to target: LPIPSTarget) throws -> LPIPSDistance {
        try check(image, against: target)
        let pass = try trunkForward(image, height: target.height, width: target.width, prepared: target.prepared)
        let terms = pass.taps.indices.map { k in
            heads[k].term(pass.taps[k].values, target.normalizedTaps[k].values, pixels: pass.taps[k].shape.pixels)
        }
        return LPIPSDistance(layerTerms: terms)
    }

    /// LPIPS(image, target), its per-layer terms, and ∂LPIPS/∂image (NHWC, same size as the image).
    public func distanceAndGradient(_ image: [Float], to target: LPIPSTarget) throws
        -> (distance: LPIPSDistance, gradient: [Float]) {
        try check(image, against: target)
        let pass = try trunkForward(image, height: target.height, width: target.width, prepared: target.prepared)
        var terms: [Double] = []
        var tapGradients: [LPIPSFeatureMap] = []
        for (k, tap) in pass.taps.enumerated() {
            var term = 0.0
            tapGradients.append(LPIPSFeatureMap(shape: tap.shape) {
                term = heads[k].term(tap.values, target.normalizedTaps[k].values, pixels: tap.shape.pixels, gradient: $0)
            })
            terms.append(term)
        }
        var gradient = try trunkBackward(pass, tapGradients: &tapGradients, prepared: target.prepared)
        LPIPSScaling.backward(&gradient)
        return (LPIPSDistance(layerTerms: terms), gradient)
    }

    private func check(_ image: [Float], against target: LPIPSTarget) throws {
        guard image.count == target.height * target.width * 3 else {
            throw LPIPSError.input("image has \(image.count) floats; the target is \(target.width)x\(target.height)x3 "
                                   + "(\(target.height * target.width * 3) floats)")
        }
    }
}

/// A target image's features, ready for `LPIPS.distance(_:to:)`.
public struct LPIPSTarget: Sendable {
    public let height: Int
    public let width: Int
    let normalizedTaps: [LPIPSFeatureMap]
    /// Per trunk layer, its weights prepared at this size (nil: the small-map path). For VGG16 at 256² the
    /// Winograd ones take 244 MB (half without the backward ones) and the packed conv5 ones 57 MB, held as
    /// long as the target.
    let prepared: [LPIPSPreparedWeights?]
}

/// An LPIPS distance and the five layer terms it sums.
public struct LPIPSDistance: Sendable {
    /// r_k: mean over pixels of the lin head on layer k's squared normalised difference.
    public let layerTerms: [Double]
    public var value: Double { layerTerms.reduce(0, +) }
}
