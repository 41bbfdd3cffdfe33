/// Tolerances as the fixtures catalogue defines them: max|actual - expected| compared with max|expected|.
public struct Comparison: CustomStringConvertible {
    public var maxAbsError: Double
    public var maxAbsReference: Double
    public var worstIndex: Int

    /// max|Δ| / max|ref| (0 when both are zero).
    public var relativeToMax: Double {
        maxAbsReference == 0 ? maxAbsError : maxAbsError / maxAbsReference
    }

    public var description: String {
        "max|Δ| \(maxAbsError) (at \(worstIndex)), max|ref| \(maxAbsReference), ratio \(relativeToMax)"
    }
}

public func compare<A: Collection, B: Collection>(_ actual: A, _ expected: B) -> Comparison
where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    precondition(actual.count == expected.count, "length \(actual.count) vs \(expected.count)")
    var worst = 0.0, worstIndex = 0, refMax = 0.0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let d = abs(Double(a) - Double(e))
        if d > worst || d.isNaN { worst = d.isNaN ? .infinity : d; worstIndex = i }
        refMax = max(refMax, abs(Double(e)))
    }
    return Comparison(maxAbsError: worst, maxAbsReference: refMax, worstIndex: worstIndex)
}
