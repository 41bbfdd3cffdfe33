/// Gradient checks shared by the kernel tests. Every backward pass is checked two ways:
/// - the adjoint identity `⟨J·dx, dy⟩ = ⟨dx, Jᵀ·dy⟩` (exact for linear operators, with J·dx from `jvp`);
/// - central finite differences of `⟨forward(x), dy⟩` at chosen inputs against `Jᵀ·dy`.

/// ⟨a, b⟩ accumulated in Double.
@inlinable
public func innerProduct<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Relative mismatch |⟨jvp, dy⟩ − ⟨dx, vjp⟩| / (|⟨jvp, dy⟩| + |⟨dx, vjp⟩|).
public func adjointMismatch(jvp: [Float], dy: [Float], dx: [Float], vjp: [Float]) -> Double {
    let left = innerProduct(jvp, dy), right = innerProduct(dx, vjp)
    let scale = abs(left) + abs(right)
    return scale == 0 ? 0 : abs(left - right) / scale
}

/// Largest |finite difference − analytic| over `indices`, relative to the largest |analytic| gradient:
/// the finite difference is `(⟨f(x + h·e_i), dy⟩ − ⟨f(x − h·e_i), dy⟩) / 2h`, evaluated in Double.
public func finiteDifferenceMismatch(x: [Float], dy: [Float], gradient: [Float], indices: [Int], step h: Float,
                                     forward: ([Float]) -> [Float]) -> Double {
    var worst = 0.0
    let scale = gradient.map { abs(Double($0)) }.max() ?? 0
    for i in indices {
        var plus = x, minus = x
        plus[i] += h
        minus[i] -= h
        let numeric = (innerProduct(forward(plus), dy) - innerProduct(forward(minus), dy)) / (Double(plus[i]) - Double(minus[i]))
        worst = max(worst, abs(numeric - Double(gradient[i])))
    }
    return scale == 0 ? worst : worst / scale
}

/// A spread of indices into `0..<count`: the ends and some in between.
public func probeIndices(_ count: Int, samples: Int = 12) -> [Int] {
    guard count > 0 else { return [] }
    return Array(Set([0, count - 1] + (0..<samples).map { $0 * count / samples })).sorted()
}

/// Runs a pointer-based kernel on arrays: `body(input, output)` with an output of `outputCount` floats
/// (filled with NaN first, so an output the kernel forgets to write shows up).
public func runKernel(_ input: [Float], outputCount: Int,
                      _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) throws -> Void) rethrows -> [Float] {
    var output = [Float](repeating: .nan, count: outputCount)
    try input.withUnsafeBufferPointer { x in
        try output.withUnsafeMutableBufferPointer { y in try body(x.baseAddress!, y.baseAddress!) }
    }
    return output
}
