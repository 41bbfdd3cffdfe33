import SIMDKernels

/// C = alpha·op(A)·op(B) + beta·C on row-major matrices, in Double; returns the whole C storage.
public func referenceGemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                          alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
                          beta: Float, c: [Float], ldc: Int) -> ReferenceValues {
    var out = ReferenceValues(values: c.map(Double.init), magnitudes: c.map { abs(Double($0)) })
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0, mag = 0.0
            for p in 0..<k {
                let av = Double(transA == .none ? a[i * lda + p] : a[p * lda + i])
                let bv = Double(transB == .none ? b[p * ldb + j] : b[j * ldb + p])
                sum += av * bv
                mag += abs(av * bv)
            }
            let old = Double(c[i * ldc + j])
            out.values[i * ldc + j] = Double(alpha) * sum + (beta == 0 ? 0 : Double(beta) * old)
            out.magnitudes[i * ldc + j] = abs(Double(alpha)) * mag + (beta == 0 ? 0 : abs(Double(beta) * old))
        }
    }
    return out
}
