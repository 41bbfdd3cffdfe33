import Foundation
import SIMDKernels

extension RGBImage {
    /// Pillow's `img.resize((width, height), Image.LANCZOS)` (Resample.c): separable, horizontal pass first
    /// with 8-bit intermediate rows, fixed-point weights with 22 fraction bits.
    public func pillowLanczosResized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        var image = self
        if newWidth != width {
            image = image.lanczosPass(horizontal: true, outSize: newWidth)
        }
        if newHeight != height {
            image = image.lanczosPass(horizontal: false, outSize: newHeight)
        }
        return image
    }

    /// One axis of the resize; the other axis is unchanged.
    private func lanczosPass(horizontal: Bool, outSize: Int) -> RGBImage {
        let inSize = horizontal ? width : height
        let taps = LanczosTaps(inSize: inSize, outSize: outSize)
        let (outWidth, outHeight) = horizontal ? (outSize, height) : (width, outSize)
        // Distance in bytes between neighbouring source samples along the axis, and between lines.
        let (step, lineStep, lines) = horizontal ? (3, width * 3, height) : (width * 3, 3, width)
        let (outStep, outLineStep) = horizontal ? (3, outWidth * 3) : (outWidth * 3, 3)
        var out = RGBImage(width: outWidth, height: outHeight)
        pixels.withUnsafeBufferPointer { source in
            out.pixels.withUnsafeMutableBufferPointer { target in
                nonisolated(unsafe) let (source, target) = (source, target)
                Parallel.forEach(lines) { line in
                    for index in 0..<outSize {
                        let first = taps.first[index]
                        let weights = taps.weights[index * taps.stride..<index * taps.stride + taps.count[index]]
                        for channel in 0..<3 {
                            var sum = 1 << (LanczosTaps.fractionBits - 1)
                            var at = line * lineStep + first * step + channel
                            for weight in weights {
                                sum += Int(source[at]) * Int(weight)
                                at += step
                            }
                            target[line * outLineStep + index * outStep + channel] = LanczosTaps.clip8(sum)
                        }
                    }
                }
            }
        }
        return out
    }
}

/// Resample.c `precompute_coeffs` + `normalize_coeffs_8bpc` for the LANCZOS filter (support 3).
struct LanczosTaps {
    static let fractionBits = 22

    /// First source index and number of taps of each output index.
    var first: [Int]
    var count: [Int]
    /// `stride` slots per output index, fixed-point.
    var weights: [Int32]
    var stride: Int

    init(inSize: Int, outSize: Int) {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = 3.0 * filterScale
        stride = Int(support.rounded(.up)) * 2 + 1
        first = []
        count = []
        weights = []
        let inverseScale = 1.0 / filterScale
        for index in 0..<outSize {
            let center = (Double(index) + 0.5) * scale
            // C's (int) conversion truncates toward zero.
            let lowest = max(Int(center - support + 0.5), 0)
            let end = min(Int(center + support + 0.5), inSize)
            var raw = (lowest..<end).map { Self.lanczos((Double($0) - center + 0.5) * inverseScale) }
            let total = raw.reduce(0, +)
            if total != 0 { raw = raw.map { $0 / total } }
            let fixed = raw.map { w -> Int32 in
                Int32(w < 0 ? -0.5 + w * Double(1 << Self.fractionBits) : 0.5 + w * Double(1 << Self.fractionBits))
            }
            first.append(lowest)
            count.append(fixed.count)
            weights += fixed + Array(repeating: 0, count: stride - fixed.count)
        }
    }

    static func lanczos(_ x: Double) -> Double {
        guard -3.0 <= x && x < 3.0 else { return 0 }
        return sinc(x) * sinc(x / 3)
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let scaled = x * Double.pi
        return sin(scaled) / scaled
    }

    static func clip8(_ value: Int) -> UInt8 {
        if value >= 1 << (fractionBits + 8) { return 255 }
        if value <= 0 { return 0 }
        return UInt8(value >> fractionBits)
    }
}
