/// A reference result with the magnitude that bounds its float32 rounding error.
public struct ReferenceValues {
    /// The exact-ish result, accumulated in Double.
    public var values: [Double]
    /// Per element, the sum of |terms| that produced it; float32 error is at most about (terms + 2)·2⁻²⁴ times this.
    public var magnitudes: [Double]

    public init(values: [Double], magnitudes: [Double]) {
        self.values = values
        self.magnitudes = magnitudes
    }

    /// All zeros, to be built up with `add`.
    public init(count: Int) {
        self.init(values: [Double](repeating: 0, count: count), magnitudes: [Double](repeating: 0, count: count))
    }

    /// values[i] += a·b, with its magnitude.
    @inline(__always) public mutating func add(_ i: Int, _ a: Double, _ b: Double) {
        values[i] += a * b
        magnitudes[i] += abs(a * b)
    }

    /// Index and size of the first element of `actual` outside `(terms + 2)·2⁻²⁴·magnitude` (+ a tiny floor), or nil.
    public func firstMismatch(_ actual: [Float], terms: Int) -> (index: Int, actual: Float, expected: Double)? {
        let u = 0x1p-24 * Double(terms + 2)
        for i in values.indices {
            let bound = u * magnitudes[i] + 1e-30
            if !(abs(Double(actual[i]) - values[i]) <= bound) { return (i, actual[i], values[i]) }
        }
        return nil
    }
}
