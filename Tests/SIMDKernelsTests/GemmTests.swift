import Testing
import SIMDKernels
import PivotTestSupport

/// Runs `sgemm` on row-major storage with the given leading dimensions; returns C's storage.
private func runSgemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Float,
                      a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Float] {
    var c = c
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                sgemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a.baseAddress!, lda: lda,
                      b: b.baseAddress!, ldb: ldb, beta: beta, c: c.baseAddress!, ldc: ldc)
            }
        }
    }
    return c
}

/// Checks one GEMM against the Double reference, with padded leading dimensions so that sub-matrix
/// addressing is exercised and anything written outside the m×n block is caught.
private func checkGemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int,
                       alpha: Float, beta: Float, pad: Int, seed: UInt64) {
    var rng = TestRandom(seed: seed)
    let lda = (ta == .none ? k : m) + pad, ldb = (tb == .none ? n : k) + pad, ldc = n + pad
    let a = rng.floats((ta == .none ? m : k) * lda + 1)
    let b = rng.floats((tb == .none ? k : n) * ldb + 1)
    let c = rng.floats(m * ldc + 1)
    let got = runSgemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                       beta: beta, c: c, ldc: ldc)
    let want = referenceGemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                             beta: beta, c: c, ldc: ldc)
    let bad = want.firstMismatch(got, terms: k)
    #expect(bad == nil, "\(ta) \(tb) m \(m) n \(n) k \(k) pad \(pad): \(String(describing: bad))")
}

struct GemmTests {
    static let transposes: [(Transpose, Transpose)] =
        [(.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)]

    /// m around the row tiles (6, 8), n around the panels (8, 16, 64), k around the K block (256).
    @Test(arguments: transposes.indices)
    func edgeShapesMatchReference(_ index: Int) {
        let (ta, tb) = Self.transposes[index]
        var seed: UInt64 = 1
        for m in [1, 5, 6, 7, 13] {
            for n in [1, 3, 8, 9, 16, 17, 33, 65] {
                for k in [1, 7, 255, 257, 600] {
                    checkGemm(ta, tb, m: m, n: n, k: k, alpha: 1, beta: 0, pad: 0, seed: seed)
                    seed += 1
                }
            }
        }
    }

    @Test(arguments: [(Float(1), Float(1)), (0.5, -2), (-1.5, 0.25)])
    func alphaBetaAndStridedSubmatrices(alpha: Float, beta: Float) {
        for (index, (ta, tb)) in Self.transposes.enumerated() {
            checkGemm(ta, tb, m: 19, n: 37, k: 300, alpha: alpha, beta: beta, pad: 5, seed: UInt64(index))
        }
    }

    /// With beta = 0, C is write-only: NaN already in C must not leak into the result.
    @Test func betaZeroIgnoresGarbageInC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        let c = runSgemm(.none, .none, m: 2, n: 2, k: 2, alpha: 1, a: a, lda: 2, b: b, ldb: 2,
                         beta: 0, c: [.nan, .nan, .nan, .nan], ldc: 2)
        #expect(c == [19, 22, 43, 50])
    }

    @Test func emptyKScalesC() {
        let c = runSgemm(.none, .none, m: 2, n: 3, k: 0, alpha: 1, a: [0], lda: 1, b: [0], ldb: 3,
                         beta: 2, c: [1, 2, 3, 4, 5, 6], ldc: 3)
        #expect(c == [2, 4, 6, 8, 10, 12])
    }

    /// A GEMM larger than every cache block, checked without O(n³) work (Freivalds):
    /// C·t must equal A·(B·t) for a random vector t.
    @Test(arguments: [(Transpose.none, Transpose.none), (.transposed, .transposed)])
    func largeGemmPassesFreivaldsCheck(ta: Transpose, tb: Transpose) {
        let m = 611, n = 1037, k = 1290
        var rng = TestRandom(seed: 99)
        let a = rng.floats(m * k), b = rng.floats(k * n), t = rng.floats(n).map(Double.init)
        let lda = ta == .none ? k : m, ldb = tb == .none ? n : k
        let c = runSgemm(ta, tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                         beta: 0, c: [Float](repeating: 0, count: m * n), ldc: n)
        let bt = (0..<k).map { p in (0..<n).reduce(0.0) { $0 + Double(tb == .none ? b[p * n + $1] : b[$1 * k + p]) * t[$1] } }
        var worst = 0.0, sumSquares = 0.0
        for i in 0..<m {
            let abt = (0..<k).reduce(0.0) { $0 + Double(ta == .none ? a[i * k + $1] : a[$1 * m + i]) * bt[$1] }
            let ct = (0..<n).reduce(0.0) { $0 + Double(c[i * n + $1]) * t[$1] }
            worst = max(worst, abs(ct - abt))
            sumSquares += (0..<n).reduce(0.0) { $0 + Double(c[i * n + $1] * c[i * n + $1]) }
        }
        // Rounding behaves like a random walk: per element about √k·2⁻²⁴·rms(C), and the residual sums n of
        // those weighted by t. Allow 8× that; a single lost product (~0.3) would exceed it 40-fold.
        let rmsC = (sumSquares / Double(m * n)).squareRoot()
        let tNorm = t.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let bound = 8 * Double(k).squareRoot() * 0x1p-24 * rmsC * tNorm
        #expect(worst <= bound, "residual \(worst), bound \(bound)")
    }
}
