extension FFHQAligner {
    /// align.md §6.5, in the reference's float32/float64 mix: NumPy 'reflect' padding, a SciPy Gaussian
    /// blended in by a distance-to-edge mask, then a fade to the per-channel median, rounded to bytes.
    /// `pad` is (left, top, right, bottom), each at least 1.
    static func reflectPadBlurred(_ image: RGBImage, pad: [Int], sigma: Double) -> RGBImage {
        let (width, height) = (image.width + pad[0] + pad[2], image.height + pad[1] + pad[3])
        // np.pad(float32(img), ..., 'reflect'): mirror without repeating the edge pixel.
        var padded = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let sourceRow = numpyReflect(y - pad[1], count: image.height) * image.width
            for x in 0..<width {
                let source = (sourceRow + numpyReflect(x - pad[0], count: image.width)) * 3
                for c in 0..<3 { padded[(y * width + x) * 3 + c] = Float(image.pixels[source + c]) }
            }
        }
        // The mask is float64: float32 coordinates divided by NumPy int64 pads promote to float64.
        let columnMask = (0..<width).map { x in
            1.0 - min(Double(Float(x)) / Double(pad[0]), Double(Float(width - 1 - x)) / Double(pad[2]))
        }
        let rowMask = (0..<height).map { y in
            1.0 - min(Double(Float(y)) / Double(pad[1]), Double(Float(height - 1 - y)) / Double(pad[3]))
        }
        let blurred = ScipyGaussian(sigma: sigma).filtered(padded, width: width, height: height)
        // img += (blurred - img) * clip(3 mask + 1, 0, 1): float32 difference, float64 product and sum.
        for y in 0..<height {
            for x in 0..<width {
                let weight = min(max(max(columnMask[x], rowMask[y]) * 3.0 + 1.0, 0.0), 1.0)
                for c in 0..<3 {
                    let i = (y * width + x) * 3 + c
                    padded[i] = Float(Double(padded[i]) + Double(blurred[i] - padded[i]) * weight)
                }
            }
        }
        // img += (median - img) * clip(mask, 0, 1), then uint8(clip(rint(img), 0, 255)).
        let medians = (0..<3).map { c in numpyMedian(stride(from: c, to: padded.count, by: 3).map { padded[$0] }) }
        var out = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let weight = min(max(max(columnMask[x], rowMask[y]), 0.0), 1.0)
                for c in 0..<3 {
                    let i = (y * width + x) * 3 + c
                    let value = Float(Double(padded[i]) + Double(medians[c] - padded[i]) * weight)
                    out.pixels[i] = UInt8(min(max(value.rounded(.toNearestOrEven), 0), 255))
                }
            }
        }
        return out
    }

    /// NumPy's 'reflect' index: period 2(n - 1), the edge sample not repeated (… c b | a b c …).
    static func numpyReflect(_ index: Int, count: Int) -> Int {
        guard count > 1 else { return 0 }
        let period = 2 * (count - 1)
        var folded = index % period
        if folded < 0 { folded += period }
        return folded < count ? folded : period - folded
    }

    /// np.median of float32 values: the middle value, or the float32 mean of the two middle values.
    /// The middle values are found by selection (quickselect), not by sorting everything.
    static func numpyMedian(_ values: [Float]) -> Float {
        var values = values
        let middle = values.count / 2
        let upper = selectSmallest(middle, in: &values)
        guard values.count % 2 == 0 else { return upper }
        // After selection everything before `middle` is ≤ the upper middle value; the lower one is their maximum.
        return (values[..<middle].max()! + upper) / 2
    }

    /// The value that would sit at `rank` if `values` were sorted; leaves smaller-or-equal values before it
    /// and greater-or-equal ones after (Hoare partitioning around a median-of-three pivot).
    static func selectSmallest(_ rank: Int, in values: inout [Float]) -> Float {
        var low = 0, high = values.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            let pivot = max(min(values[low], values[mid]), min(max(values[low], values[mid]), values[high]))
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now values[low...j] ≤ pivot ≤ values[i...high], and anything between equals the pivot.
            if rank <= j { high = j } else if rank >= i { low = i } else { return values[rank] }
        }
        return values[rank]
    }
}
