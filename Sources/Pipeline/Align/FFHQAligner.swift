/// The two reference alignments (align.md §6.1).
public enum FFHQAlignmentVariant: String, Sendable, CaseIterable {
    /// PTI / e4e `align_face`: the quad is warped straight to the output size (bilinear, point-sampled;
    /// aliases when the face is much larger than the output).
    case pti
    /// NVlabs ffhq-dataset `recreate_aligned_images`: warp to 4096 x 4096, then Lanczos down to the output.
    case ffhq

    /// The side of the warped square. (NVlabs fixes 4096; a larger output is warped at its own size.)
    func transformSize(outputSize: Int) -> Int {
        self == .pti ? outputSize : max(4096, outputSize)
    }
}

/// The intermediate values of one alignment, named as in the fixtures' `*.trace.json` (align.md §6.9).
/// Points are (x, y) in pixels; quads list the corners top-left, bottom-left, bottom-right, top-right.
public struct AlignmentTrace: Sendable, Equatable {
    /// The quad from the landmarks, in input-image pixels.
    public var quad0: [SIMD2<Double>]
    public var qsize0: Double
    /// The shrink factor; the image is only resized when it is above 1.
    public var shrink: Int
    public var border: Int
    /// Clamped crop box (left, top, right, bottom; right and bottom exclusive); applied only when smaller
    /// than the (shrunk) image.
    public var crop: [Int]
    /// Padding (left, top, right, bottom) before the threshold test.
    public var padRaw: [Int]
    /// Padding actually applied, and the blur σ; nil when the pad branch did not run.
    public var pad: [Int]?
    public var blur: Double?
    /// quad + 0.5: the corners handed to the warp, in the cropped/padded image's pixels.
    public var quadFinal: [SIMD2<Double>]
}

public struct AlignedFace: Sendable {
    /// `outputSize` x `outputSize` RGB.
    public var image: RGBImage
    /// The region of the input image that became `image` (= `trace.quad0`).
    public var quad: [SIMD2<Double>]
    public var trace: AlignmentTrace
}

public struct AlignmentError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "cannot align face: \(reason)" }
}

/// FFHQ alignment from 68 iBUG landmarks, reproducing the Python references' arithmetic (NumPy, SciPy and
/// Pillow) step by step: quad, shrink, crop, reflect-pad + blur + median fill, quad warp, final resize.
public enum FFHQAligner {
    /// The largest output side accepted (keeps every intermediate buffer bounded).
    public static let maxOutputSize = 4096

    public static func align(image: RGBImage, landmarks: [SIMD2<Double>], variant: FFHQAlignmentVariant = .pti,
                             outputSize: Int = 1024) throws -> AlignedFace {
        guard landmarks.count == 68 else { throw AlignmentError(reason: "expected 68 landmarks, got \(landmarks.count)") }
        guard landmarks.allSatisfy({ abs($0.x) < 1e7 && abs($0.y) < 1e7 }) else {
            throw AlignmentError(reason: "landmarks are not finite pixel coordinates")
        }
        try checkOutputSize(outputSize)
        guard image.width > 0, image.height > 0 else { throw AlignmentError(reason: "the image is empty") }

        let (quad0, qsize0) = faceQuad(landmarks: landmarks)
        // Below ~8 px the pad and border arithmetic degenerates (divisions by a zero pad).
        guard qsize0 >= 8 else { throw AlignmentError(reason: "face is too small (quad side \(qsize0) px)") }
        var quad = quad0, qsize = qsize0, picture = image

        // Shrink (§6.3): bring a large face down to at most about twice the output size first.
        let shrink = Int((qsize / Double(outputSize) * 0.5).rounded(.down))
        if shrink > 1 {
            let width = max(1, Int((Double(picture.width) / Double(shrink)).rounded(.toNearestOrEven)))
            let height = max(1, Int((Double(picture.height) / Double(shrink)).rounded(.toNearestOrEven)))
            picture = picture.pillowLanczosResized(width: width, height: height)
            quad = quad.map { $0 / Double(shrink) }
            qsize /= Double(shrink)
        }

        // Crop (§6.4) to the quad plus a border, clamped to the image.
        let border = max(Int((qsize * 0.1).rounded(.toNearestOrEven)), 3)
        let bounds = pixelBounds(quad)
        let crop = [max(bounds[0] - border, 0), max(bounds[1] - border, 0),
                    min(bounds[2] + border, picture.width), min(bounds[3] + border, picture.height)]
        guard crop[2] > crop[0], crop[3] > crop[1] else { throw AlignmentError(reason: "the face quad lies outside the image") }
        if crop[2] - crop[0] < picture.width || crop[3] - crop[1] < picture.height {
            picture = picture.cropped(left: crop[0], top: crop[1], right: crop[2], bottom: crop[3])
            quad = quad.map { $0 - SIMD2(Double(crop[0]), Double(crop[1])) }
        }

        // Pad (§6.5) where the quad leaves the image: mirror, blur and fade to the median colour.
        let padBounds = pixelBounds(quad)
        let padRaw = [max(-padBounds[0] + border, 0), max(-padBounds[1] + border, 0),
                      max(padBounds[2] - picture.width + border, 0), max(padBounds[3] - picture.height + border, 0)]
        var pad: [Int]? = nil, blur: Double? = nil
        if padRaw.max()! > border - 4 {
            let least = Int((qsize * 0.3).rounded(.toNearestOrEven))
            let sides = padRaw.map { max($0, least) }
            let sigma = qsize * 0.02
            picture = reflectPadBlurred(picture, pad: sides, sigma: sigma)
            quad = quad.map { $0 + SIMD2(Double(sides[0]), Double(sides[1])) }
            (pad, blur) = (sides, sigma)
        }

        // Warp (§6.6), then Lanczos down to the output size (§6.7, FFHQ variant only).
        let quadFinal = quad.map { $0 + 0.5 }
        let transformSize = variant.transformSize(outputSize: outputSize)
        var aligned = picture.pillowQuadTransformed(size: transformSize, corners: quadFinal)
        if outputSize < transformSize {
            aligned = aligned.pillowLanczosResized(width: outputSize, height: outputSize)
        }
        let trace = AlignmentTrace(quad0: quad0, qsize0: qsize0, shrink: shrink, border: border, crop: crop,
                                   padRaw: padRaw, pad: pad, blur: blur, quadFinal: quadFinal)
        return AlignedFace(image: aligned, quad: quad0, trace: trace)
    }

    /// Throws unless `outputSize` is in 1...maxOutputSize.
    public static func checkOutputSize(_ outputSize: Int) throws {
        guard (1...maxOutputSize).contains(outputSize) else {
            throw AlignmentError(reason: "output size \(outputSize) is not in 1...\(maxOutputSize)")
        }
    }

    /// (floor(min x), floor(min y), ceil(max x), ceil(max y)) of the corners.
    static func pixelBounds(_ quad: [SIMD2<Double>]) -> [Int] {
        let xs = quad.map(\.x), ys = quad.map(\.y)
        return [Int(xs.min()!.rounded(.down)), Int(ys.min()!.rounded(.down)),
                Int(xs.max()!.rounded(.up)), Int(ys.max()!.rounded(.up))]
    }
}
