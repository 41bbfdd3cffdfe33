/// `F.mse_loss(a, b)` (mean reduction) and its gradient.
public enum MeanSquaredError {
    /// mean((a − b)²) over `count` elements.
    public static func value(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        Reduce.sumOfSquaredDifferences(a, b, count: count) / Double(count)
    }

    /// d/da of `weight · mean((a − b)²)` = `2·weight·(a − b) / count`, overwriting `gradient`
    /// (d/db is its negative).
    public static func gradient(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, weight: Float = 1,
                                into gradient: UnsafeMutablePointer<Float>) {
        let factor = SIMD8<Float>(repeating: Float(2 * Double(weight) / Double(count)))
        Parallel.forEachRange(count) { range in
            for i in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
                let lanes = min(8, range.upperBound - i)
                let d = SIMD8<Float>(loading: a + i, count: lanes) - SIMD8<Float>(loading: b + i, count: lanes)
                (d * factor).store(to: gradient + i, count: lanes)
            }
        }
    }
}
