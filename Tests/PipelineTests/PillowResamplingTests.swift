import Foundation
import Pipeline
import Testing

/// Plain Double references for the two Pillow resamplers, written from the formulas in align.md §6.6-6.7.
enum ResamplingReference {
    static func lanczos(_ x: Double) -> Double {
        func sinc(_ v: Double) -> Double { v == 0 ? 1 : sin(v * .pi) / (v * .pi) }
        return (-3.0..<3.0).contains(x) ? sinc(x) * sinc(x / 3) : 0
    }

    /// One axis, Double weights and sums, rounded to the nearest byte.
    static func lanczosAxis(_ image: RGBImage, outSize: Int, horizontal: Bool) -> RGBImage {
        let inSize = horizontal ? image.width : image.height
        let scale = Double(inSize) / Double(outSize), fs = max(scale, 1), support = 3 * fs
        var out = RGBImage(width: horizontal ? outSize : image.width, height: horizontal ? image.height : outSize)
        for o in 0..<outSize {
            let center = (Double(o) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0), hi = min(Int(center + support + 0.5), inSize)
            let raw = (lo..<hi).map { lanczos((Double($0) - center + 0.5) / fs) }
            let total = raw.reduce(0, +)
            for line in 0..<(horizontal ? image.height : image.width) {
                for c in 0..<3 {
                    var sum = 0.0
                    for (k, w) in raw.enumerated() {
                        sum += w / total * Double(horizontal ? image[lo + k, line, c] : image[line, lo + k, c])
                    }
                    let byte = UInt8(min(max(sum.rounded(), 0), 255))
                    if horizontal { out[o, line, c] = byte } else { out[line, o, c] = byte }
                }
            }
        }
        return out
    }

    /// Bilinear quad warp: source point a0 + a1 u + a2 v + a3 u v at pixel centres, black outside.
    static func quadWarp(_ image: RGBImage, size: Int, corners: [SIMD2<Double>]) -> RGBImage {
        let (nw, sw, se, ne) = (corners[0], corners[1], corners[2], corners[3])
        let t = Double(size)
        var out = RGBImage(width: size, height: size)
        for j in 0..<size {
            for i in 0..<size {
                let u = Double(i) + 0.5, v = Double(j) + 0.5
                let p = nw + (ne - nw) * (u / t) + (sw - nw) * (v / t) + (se - sw - ne + nw) * (u * v / (t * t))
                guard p.x >= 0, p.x < Double(image.width), p.y >= 0, p.y < Double(image.height) else { continue }
                let x = p.x - 0.5, y = p.y - 0.5, x0 = x.rounded(.down), y0 = y.rounded(.down)
                func at(_ xi: Double, _ yi: Double, _ c: Int) -> Double {
                    Double(image[min(max(Int(xi), 0), image.width - 1), min(max(Int(yi), 0), image.height - 1), c])
                }
                for c in 0..<3 {
                    let top = at(x0, y0, c) * (1 - (x - x0)) + at(x0 + 1, y0, c) * (x - x0)
                    let bottom = at(x0, y0 + 1, c) * (1 - (x - x0)) + at(x0 + 1, y0 + 1, c) * (x - x0)
                    out[i, j, c] = UInt8(top * (1 - (y - y0)) + bottom * (y - y0))
                }
            }
        }
        return out
    }
}

func maxDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

@Suite struct PillowResamplingTests {
    /// Width-only and height-only resizes: fixed-point weights stay within one step of the Double reference.
    @Test(arguments: [(17, 5), (9, 16), (1, 3), (100, 7), (40, 39), (5, 1)])
    func lanczosSingleAxis(sizes: (Int, Int)) {
        let (inSize, outSize) = sizes
        let wide = syntheticPhoto(width: inSize, height: 3)
        let tall = syntheticPhoto(width: 3, height: inSize)
        let horizontal = wide.pillowLanczosResized(width: outSize, height: 3)
        let vertical = tall.pillowLanczosResized(width: 3, height: outSize)
        #expect(maxDifference(horizontal, ResamplingReference.lanczosAxis(wide, outSize: outSize, horizontal: true)) <= 1)
        #expect(maxDifference(vertical, ResamplingReference.lanczosAxis(tall, outSize: outSize, horizontal: false)) <= 1)
    }

    @Test func lanczosBothAxesAndIdentity() {
        let photo = syntheticPhoto(width: 31, height: 23)
        #expect(photo.pillowLanczosResized(width: 31, height: 23) == photo)
        let reference = ResamplingReference.lanczosAxis(
            ResamplingReference.lanczosAxis(photo, outSize: 12, horizontal: true), outSize: 40, horizontal: false)
        #expect(maxDifference(photo.pillowLanczosResized(width: 12, height: 40), reference) <= 2)
        // A flat image stays flat (weights sum to one).
        let flat = RGBImage(width: 30, height: 30, pixels: Array(repeating: 77, count: 30 * 30 * 3))
        #expect(flat.pillowLanczosResized(width: 7, height: 11).pixels.allSatisfy { $0 == 77 })
    }

    @Test func quadWarpIdentityIsExact() {
        let photo = syntheticPhoto(width: 16, height: 16)
        let corners: [SIMD2<Double>] = [[0, 0], [0, 16], [16, 16], [16, 0]]
        #expect(photo.pillowQuadTransformed(size: 16, corners: corners) == photo)
    }

    @Test(arguments: [7, 32, 33])
    func quadWarpMatchesReference(size: Int) {
        let photo = syntheticPhoto(width: 29, height: 21)
        // Rotated and partly outside the photo (those pixels are black).
        let corners: [SIMD2<Double>] = [[-3.25, 5.5], [6.75, 26.125], [31.5, 14.0], [21.5, -6.625]]
        let warped = photo.pillowQuadTransformed(size: size, corners: corners)
        let reference = ResamplingReference.quadWarp(photo, size: size, corners: corners)
        #expect(maxDifference(warped, reference) <= 1)
        #expect(warped[0, 0, 0] == 0 && warped[0, 0, 1] == 0 && warped[0, 0, 2] == 0)
    }
}
