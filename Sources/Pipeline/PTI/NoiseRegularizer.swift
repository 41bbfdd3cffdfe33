import SIMDKernels

/// The projector's noise regulariser (specs/pti.md §3.2): for each noise map v, at every level of a 2×2
/// average-pooling pyramid down to 8×8, the squared mean autocorrelation with a one-pixel cyclic shift along
/// width and along height. It keeps the optimised noise maps from absorbing image content.
public enum NoiseRegularizer {
    /// Value of the regulariser for one square `size`×`size` map, and (when `gradient` is given) its gradient,
    /// ADDED into `gradient` (so the caller can accumulate over maps and with other losses).
    public static func apply(_ map: UnsafePointer<Float>, size: Int,
                             gradient: UnsafeMutablePointer<Float>?) throws -> Double {
        // Pyramid: level 0 is the map itself, each next level is the 2×2 mean, down to 8×8 (or the map's size).
        var levels: [[Float]] = [Array(UnsafeBufferPointer(start: map, count: size * size))]
        var sizes = [size]
        while sizes.last! > 8 {
            let s = sizes.last!
            var pooled = [Float](repeating: 0, count: (s / 2) * (s / 2))
            try AreaResize(outputHeight: s / 2, outputWidth: s / 2)
                .forward(levels.last!, shape: squareShape(s), output: &pooled)
            levels.append(pooled)
            sizes.append(s / 2)
        }
        var value = 0.0
        var upstream: [Float]? = nil          // gradient w.r.t. the current level, built from the top down
        for level in stride(from: levels.count - 1, through: 0, by: -1) {
            let (term, levelGradient) = shiftedAutocorrelation(levels[level], size: sizes[level], wantGradient: gradient != nil)
            value += term
            guard gradient != nil else { continue }
            var total = levelGradient
            if let upstream {
                // Pull the coarser level's gradient back through its 2×2 mean.
                var spread = [Float](repeating: 0, count: total.count)
                try AreaResize(outputHeight: sizes[level + 1], outputWidth: sizes[level + 1])
                    .backward(gradOutput: upstream, inputShape: squareShape(sizes[level]), gradInput: &spread)
                for i in total.indices { total[i] += spread[i] }
            }
            upstream = total
        }
        if let gradient, let upstream {
            for i in 0..<(size * size) { gradient[i] += upstream[i] }
        }
        return value
    }

    /// `mean(v·roll(v,1,W))² + mean(v·roll(v,1,H))²` on one level, and its gradient.
    private static func shiftedAutocorrelation(_ v: [Float], size n: Int, wantGradient: Bool) -> (Double, [Float]) {
        var alongWidth = 0.0, alongHeight = 0.0
        for y in 0..<n {
            for x in 0..<n {
                let here = Double(v[y * n + x])
                alongWidth += here * Double(v[y * n + (x + n - 1) % n])
                alongHeight += here * Double(v[((y + n - 1) % n) * n + x])
            }
        }
        let count = Double(n * n)
        alongWidth /= count
        alongHeight /= count
        guard wantGradient else { return (alongWidth * alongWidth + alongHeight * alongHeight, []) }
        // d(a²)/dv[p] = 2a · (v[left of p] + v[right of p]) / count, and likewise along height.
        var gradient = [Float](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n {
                let horizontal = Double(v[y * n + (x + n - 1) % n]) + Double(v[y * n + (x + 1) % n])
                let vertical = Double(v[((y + n - 1) % n) * n + x]) + Double(v[((y + 1) % n) * n + x])
                gradient[y * n + x] = Float(2 * (alongWidth * horizontal + alongHeight * vertical) / count)
            }
        }
        return (alongWidth * alongWidth + alongHeight * alongHeight, gradient)
    }

    /// After each Adam step: `v -= mean(v); v *= rsqrt(mean(v²))`, without gradient.
    public static func renormalize(_ map: UnsafeMutablePointer<Float>, count: Int) {
        var mean = 0.0
        for i in 0..<count { mean += Double(map[i]) }
        mean /= Double(count)
        var meanSquare = 0.0
        for i in 0..<count {
            let centred = Double(map[i]) - mean
            meanSquare += centred * centred
        }
        let scale = 1 / (meanSquare / Double(count)).squareRoot()
        for i in 0..<count { map[i] = Float((Double(map[i]) - mean) * scale) }
    }

    private static func squareShape(_ size: Int) -> NHWCShape {
        NHWCShape(batch: 1, height: size, width: size, channels: 1)
    }
}
