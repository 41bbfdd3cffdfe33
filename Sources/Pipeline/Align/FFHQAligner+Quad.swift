import Foundation

extension FFHQAligner {
    /// The oriented square around eyes and mouth (align.md §6.2), in NumPy's operation order, and its side.
    /// Corners: top-left, bottom-left, bottom-right, top-right.
    static func faceQuad(landmarks lm: [SIMD2<Double>]) -> (quad: [SIMD2<Double>], qsize: Double) {
        let eyeLeft = mean(lm[36..<42]), eyeRight = mean(lm[42..<48])
        let eyeAverage = (eyeLeft + eyeRight) * 0.5
        let eyeToEye = eyeRight - eyeLeft
        let mouthAverage = (lm[48] + lm[54]) * 0.5
        let eyeToMouth = mouthAverage - eyeAverage
        // x = eye_to_eye - flipud(eye_to_mouth) * [-1, 1]
        var x = SIMD2(eyeToEye.x - -eyeToMouth.y, eyeToEye.y - eyeToMouth.x)
        x /= hypot(x.x, x.y)
        x *= max(hypot(eyeToEye.x, eyeToEye.y) * 2.0, hypot(eyeToMouth.x, eyeToMouth.y) * 1.8)
        let y = SIMD2(-x.y, x.x)
        let center = eyeAverage + eyeToMouth * 0.1
        let quad = [center - x - y, center - x + y, center + x + y, center + x - y]
        return (quad, hypot(x.x, x.y) * 2)
    }

    /// np.mean over points: a left-to-right sum (NumPy's pairwise sum is sequential below 8 items), then a division.
    private static func mean(_ points: ArraySlice<SIMD2<Double>>) -> SIMD2<Double> {
        points.reduce(SIMD2<Double>(0, 0), +) / Double(points.count)
    }
}
