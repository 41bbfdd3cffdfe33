/// The register-tiled micro-kernel every GEMM and convolution in this module runs on.
///
/// Contract (XNNPACK / oneDNN-brgemm style, see specs/kernels.md §3):
/// - It computes one MR×NR tile of C, NR = NV·V.scalarCount, accumulating in registers.
/// - **A is not packed.** K is split into `segments` runs of `kc` steps. For segment s, row i of the tile
///   reads `a[s·MR + i][k·ks]` for k in 0..<kc (broadcast). Plain GEMM uses one segment with row pointers
///   `A + i·lda`; a convolution uses one segment per kernel tap with pointers into the NHWC input
///   (or into a zero row where the tap falls into the padding).
/// - **B is packed**: `segments·kc` rows of NR contiguous floats, zero-padded past the true n.
/// - Rows i ≥ m must still point at readable memory (callers repeat row 0); only rows < m and
///   columns < n are stored.
/// - Epilogue: `C[i][j] = alpha·acc + beta·C[i][j] (+ bias[j])`, with C row i at `c[i] + cOffset`.
///   C is not read when beta is 0, so it may hold garbage.
///
/// Signatures take pointers and Ints only: SIMD values passed as arguments are split into xmm pieces
/// by the Swift calling convention (specs/kernels.md §8).
/// The tile shape and vector type are given as the accumulator type, e.g.
/// `microKernel(Accumulators<SIMD16<Float>, 6, 1>.self, call)` (Swift cannot spell explicit generic
/// arguments on a function call).
@inline(__always)
func microKernel<V: SIMD, let MR: Int, let NV: Int>(_ shape: Accumulators<V, MR, NV>.Type, _ p: KernelCall)
where V.Scalar == Float {
    let lanes = V.scalarCount
    var acc = Accumulators<V, MR, NV>(repeating: InlineArray<NV, V>(repeating: V()))
    var bp = p.b
    let a = p.a, ks = p.ks, kc = p.kc
    for s in 0..<p.segments {
        let rows = InlineArray<MR, UnsafePointer<Float>> { i in a[s &* MR &+ i] }
        var offset = 0
        for _ in 0..<kc {
            let bv = InlineArray<NV, V> { j in UnsafeRawPointer(bp + j &* lanes).loadUnaligned(as: V.self) }
            for i in 0..<MR {
                let av = V(repeating: rows[i][offset])
                for j in 0..<NV { acc[i][j] = acc[i][j].addingProduct(av, bv[j]) }
            }
            offset &+= ks
            bp += NV &* lanes
        }
    }
    storeTile(acc, c: p.c, cOffset: p.cOffset, m: p.m, n: p.n, epilogue: p.epilogue)
}

/// MR rows × NV vectors of accumulators: the register tile.
typealias Accumulators<V: SIMD, let MR: Int, let NV: Int> = InlineArray<MR, InlineArray<NV, V>>

/// What the micro-kernel does with the accumulators: `C = alpha·acc + beta·C (+ bias)`.
struct Epilogue {
    var alpha: Float
    var beta: Float
    /// Per-column bias (indexed like C's columns), added once; nil for none.
    var bias: UnsafePointer<Float>?
}

@inline(__always)
private func storeTile<V: SIMD, let MR: Int, let NV: Int>(
    _ acc: Accumulators<V, MR, NV>,
    c: UnsafePointer<UnsafeMutablePointer<Float>>, cOffset: Int, m: Int, n: Int, epilogue: Epilogue
) where V.Scalar == Float {
    let lanes = V.scalarCount
    // The common whole tile with C = acc (or C += acc): straight stores, no per-row tests. The weight
    // gradient of a 4×4 map stores a tile every 16 k steps.
    if m == MR && n == NV * lanes && epilogue.alpha == 1 && epilogue.bias == nil
        && (epilogue.beta == 0 || epilogue.beta == 1) {
        let accumulate = epilogue.beta == 1
        for i in 0..<MR {
            let row = UnsafeMutableRawPointer(c[i] + cOffset)
            for j in 0..<NV {
                let offset = j * lanes * MemoryLayout<Float>.size
                let v = accumulate ? acc[i][j] + row.loadUnaligned(fromByteOffset: offset, as: V.self) : acc[i][j]
                row.storeBytes(of: v, toByteOffset: offset, as: V.self)
            }
        }
        return
    }
    let alpha = V(repeating: epilogue.alpha), beta = V(repeating: epilogue.beta)
    for i in 0..<MR where i < m {
        let row = c[i] + cOffset
        if n == NV * lanes {
            for j in 0..<NV {
                let p = UnsafeMutableRawPointer(row + j * lanes)
                // alpha 1 and beta 1 (every K block after the first) skip a multiply: the same bits, and
                // vaddps runs beside the FMAs instead of on their ports.
                var v = epilogue.alpha == 1 ? acc[i][j] : acc[i][j] * alpha
                if epilogue.beta == 1 {
                    v += p.loadUnaligned(as: V.self)
                } else if epilogue.beta != 0 {
                    v = v.addingProduct(beta, p.loadUnaligned(as: V.self))
                }
                if let bias = epilogue.bias {
                    v += UnsafeRawPointer(bias + cOffset + j * lanes).loadUnaligned(as: V.self)
                }
                p.storeBytes(of: v, as: V.self)
            }
        } else {
            // Vector j by a static index only: a dynamic `acc[i][col / lanes]` would keep the whole tile
            // in memory, and LLVM then stores every accumulator after every FMA of the k-loop (measured:
            // 6×64 AVX-512 GEMM at 36% of peak).
            for j in 0..<NV {
                let v = acc[i][j]
                for lane in 0..<lanes {
                    let col = j * lanes + lane
                    guard col < n else { break }
                    var value = v[lane] * epilogue.alpha
                    if epilogue.beta != 0 { value += epilogue.beta * row[col] }
                    if let bias = epilogue.bias { value += bias[cOffset + col] }
                    row[col] = value
                }
            }
        }
    }
}
