/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// Single-precision GEMM on row-major matrices: `C = alpha·op(A)·op(B) + beta·C`.
///
/// op(A) is m×k, op(B) is k×n, C is m×n. `lda`, `ldb`, `ldc` are the row strides of the matrices as stored
/// (so A stored untransposed is m rows of at least k floats; transposed, k rows of at least m floats).
/// When beta is 0, C is not read. B is packed into panels on every call; A is read in place.
/// Runs on `Parallel.threadCount` workers.
public func sgemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                  alpha: Float, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
    precondition(lda >= (transA == .none ? k : m) && ldb >= (transB == .none ? n : k) && ldc >= n,
                 "sgemm: leading dimension smaller than the matrix")
    guard m > 0, n > 0 else { return }
    let tile = Tile.forColumns(n)
    let packed = PackedMatrix(rows: k, columns: n, panelWidth: tile.nr)
    if transB == .none {
        packed.pack(firstRow: 0, count: k, from: b, rowStride: ldb, columnStride: 1)
    } else {
        packed.pack(firstRow: 0, count: k, from: b, rowStride: 1, columnStride: ldb)
    }
    let rows = MatrixRows(a: a, rowStride: transA == .none ? lda : 1, ks: transA == .none ? 1 : lda,
                          c: c, ldc: ldc)
    runGemm(rows, m: m, b: packed, layout: KLayout(segments: 1, length: k), tile: tile,
            alpha: alpha, beta: beta, bias: nil)
}

/// A plain matrix as a GEMM's A operand: row i of segment s starts at `a + s·segmentStride + i·rowStride`
/// (one segment for a plain GEMM), k advances by `ks`; C row i is at `c + i·ldc`.
struct MatrixRows: RowSource {
    let a: UnsafePointer<Float>
    let rowStride: Int
    let ks: Int
    var segmentStride = 0
    let c: UnsafeMutablePointer<Float>
    let ldc: Int

    func fillRows(_ out: UnsafeMutablePointer<UnsafePointer<Float>>, mr: Int, first: Int, count: Int,
                  segments: Range<Int>) {
        var slot = out
        for s in segments {
            for i in 0..<mr { slot[i] = a + s * segmentStride + (first + (i < count ? i : 0)) * rowStride }
            slot += mr
        }
    }

    func fillOutputRows(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>>, first: Int, count: Int) {
        for i in 0..<count { out[i] = c + (first + i) * ldc }
    }
}
