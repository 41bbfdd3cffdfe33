import Foundation
import SIMDKernels

/// `scipy.ndimage.gaussian_filter(img, [σ, σ, 0])` on an HWC float32 image: a 1-D correlation along rows
/// (axis 0) and then columns (axis 1), mode 'reflect' (half-sample symmetric, … b a | a b …),
/// radius int(4σ + 0.5), float64 arithmetic with float32 results after each axis.
struct ScipyGaussian {
    /// Weights from the centre outwards: weights[k] applies at offsets ±k.
    let weights: [Double]

    init(sigma: Double) {
        let radius = Int(4.0 * sigma + 0.5)
        // _gaussian_kernel1d: exp(-0.5 / σ² * x²), normalised by NumPy's (pairwise) sum.
        let exponent = -0.5 / (sigma * sigma)
        let full = (-radius...radius).map { x in exp(exponent * Double(x * x)) }
        let total = numpyPairwiseSum(full)
        weights = full[radius...].map { $0 / total }
    }

    func filtered(_ values: [Float], width: Int, height: Int) -> [Float] {
        var out = values
        // Axis 0: one line per (column, channel), elements a row apart.
        correlateLines(&out, lines: width * 3, length: height, start: { $0 }, step: width * 3)
        // Axis 1: one line per (row, channel), elements a pixel apart.
        correlateLines(&out, lines: height * 3, length: width, start: { ($0 / 3) * width * 3 + $0 % 3 }, step: 3)
        return out
    }

    /// SciPy's NI_Correlate1D for a symmetric filter: out = x[0]·w[0], then += (x[-k] + x[k])·w[k] from the
    /// outermost k inwards.
    private func correlateLines(_ values: inout [Float], lines: Int, length: Int, start: @Sendable (Int) -> Int,
                                step: Int) {
        let radius = weights.count - 1
        let weights = self.weights
        values.withUnsafeMutableBufferPointer { data in
            nonisolated(unsafe) let data = data
            let chunk = 64
            Parallel.forEach((lines + chunk - 1) / chunk) { block in
                var line = [Double](repeating: 0, count: length + 2 * radius)
                for lineIndex in block * chunk..<min(lines, (block + 1) * chunk) {
                    let origin = start(lineIndex)
                    for i in 0..<line.count {
                        line[i] = Double(data[origin + Self.scipyReflect(i - radius, count: length) * step])
                    }
                    // Eight outputs side by side in a vector: each lane does the scalar loop's operations in
                    // its order, but the eight dependency chains overlap.
                    var i = 0
                    line.withUnsafeBufferPointer { line in
                        @inline(__always) func load8(_ at: Int) -> SIMD8<Double> {
                            UnsafeRawPointer(line.baseAddress! + at).loadUnaligned(as: SIMD8<Double>.self)
                        }
                        while i + 8 <= length {
                            let center = i + radius
                            var sum = load8(center) * weights[0]
                            for k in stride(from: radius, to: 0, by: -1) {
                                sum += (load8(center - k) + load8(center + k)) * weights[k]
                            }
                            for lane in 0..<8 { data[origin + (i + lane) * step] = Float(sum[lane]) }
                            i += 8
                        }
                        for i in i..<length {
                            let center = i + radius
                            var sum = line[center] * weights[0]
                            for k in stride(from: radius, to: 0, by: -1) {
                                sum += (line[center - k] + line[center + k]) * weights[k]
                            }
                            data[origin + i * step] = Float(sum)
                        }
                    }
                }
            }
        }
    }

    /// SciPy's 'reflect' index: period 2n, the edge sample repeated (… b a | a b …).
    static func scipyReflect(_ index: Int, count: Int) -> Int {
        let period = 2 * count
        var folded = index % period
        if folded < 0 { folded += period }
        return folded < count ? folded : period - 1 - folded
    }
}

/// NumPy's float64 `sum` (pairwise_sum in loops_utils.h): below 8 items a plain loop; up to 128 items eight
/// interleaved accumulators combined as ((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7)), then the tail; above 128 the
/// halves (split at a multiple of 8) recursively.
func numpyPairwiseSum(_ values: ArraySlice<Double>) -> Double {
    let n = values.count, base = values.startIndex
    if n < 8 {
        return values.reduce(-0.0, +)
    }
    if n <= 128 {
        var r = (0..<8).map { values[base + $0] }
        var i = 8
        while i < n - n % 8 {
            for k in 0..<8 { r[k] += values[base + i + k] }
            i += 8
        }
        var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n {
            result += values[base + i]
            i += 1
        }
        return result
    }
    var half = n / 2
    half -= half % 8
    return numpyPairwiseSum(values[base..<base + half]) + numpyPairwiseSum(values[(base + half)...])
}

func numpyPairwiseSum(_ values: [Double]) -> Double { numpyPairwiseSum(values[...]) }
