/// A K×N matrix packed as the micro-kernel's B operand: ⌈N/NR⌉ panels, each K rows of NR contiguous
/// floats (zero past column N), panel after panel, 64-byte aligned, in a `ScratchPool` buffer. Panel j row k holds B[k][j·NR ..< j·NR+NR].
///
/// The layout does not depend on the K blocking, so one packing serves every call (pack weights once
/// per weight update and reuse them).
///
/// Only the padding past column N is zeroed at creation; `pack` must fill every row before use (each
/// caller packs all K rows, so zero-filling the whole storage first would be a wasted pass over it).
final class PackedMatrix: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let panelWidth: Int
    let storage: UnsafeMutablePointer<Float>
    private let capacity: Int

    init(rows: Int, columns: Int, panelWidth: Int) {
        self.rows = rows
        self.columns = columns
        self.panelWidth = panelWidth
        let count = max(1, panelCount(columns, panelWidth) * rows * panelWidth)
        (storage, capacity) = ScratchPool.take(count)
        let lastWidth = columns - (panels - 1) * panelWidth
        if columns == 0 || rows == 0 {
            storage.initialize(repeating: 0, count: count)
        } else if lastWidth < panelWidth {
            let lastPanel = storage + (panels - 1) * rows * panelWidth
            for k in 0..<rows {
                (lastPanel + k * panelWidth + lastWidth).initialize(repeating: 0, count: panelWidth - lastWidth)
            }
        }
    }

    deinit { ScratchPool.give(storage, capacity: capacity) }

    var panels: Int { panelCount(columns, panelWidth) }

    /// Row `k` of panel `j`.
    func panel(_ j: Int, row k: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + (j * rows + k) * panelWidth)
    }

    /// Copies `count` rows into rows `firstRow...`: element (k, col) is `source[k·rowStride + col·columnStride]`.
    /// A transposed source is just a different pair of strides (with rowStride 1 it goes through 8×8 register
    /// transposes). Threads split the panels, and each fills its panels top to bottom.
    func pack(firstRow: Int, count: Int, from source: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        let nr = panelWidth, n = columns, total = rows
        nonisolated(unsafe) let src = source
        nonisolated(unsafe) let dst = storage + firstRow * nr
        let tasks = count * n >= 1 << 16 ? min(Parallel.threadCount, panels) : 1
        Parallel.forEach(tasks) { task in
            for j in stride(from: task, to: panelCount(n, nr), by: tasks) {
                let width = min(nr, n - j * nr)
                let panel = dst + j * total * nr, first = src + j * nr * columnStride
                if columnStride == 1 {
                    for k in 0..<count { copyFloats(first + k * rowStride, to: panel + k * nr, count: width) }
                } else if rowStride == 1 {
                    packTransposed(first, columnStride: columnStride, count: count, width: width, into: panel, panelWidth: nr)
                } else {
                    for k in 0..<count {
                        for col in 0..<width { panel[k * nr + col] = first[k * rowStride + col * columnStride] }
                    }
                }
            }
        }
    }
}

@inline(__always) func panelCount(_ n: Int, _ nr: Int) -> Int { (n + nr - 1) / nr }

/// `count` floats from `source` to `destination`, eight at a time: inline, since panel rows are short
/// (a `memmove` call per 16-float row costs more than the copy).
@inline(__always)
private func copyFloats(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        UnsafeMutableRawPointer(destination + i)
            .storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        destination[i] = source[i]
        i += 1
    }
}

/// Rows k ..< k+count of one panel from a transposed source, element (k, col) at `source[k + col·columnStride]`:
/// 8×8 blocks go through registers (eight 8-float loads down the columns, eight 8-float stores along the
/// panel rows), the ragged edges element by element.
private func packTransposed(_ source: UnsafePointer<Float>, columnStride: Int, count: Int, width: Int,
                            into out: UnsafeMutablePointer<Float>, panelWidth nr: Int) {
    let fullRows = count - count % 8, fullColumns = width - width % 8
    for k in stride(from: 0, to: fullRows, by: 8) {
        for col in stride(from: 0, to: fullColumns, by: 8) {
            transpose8x8(source + k + col * columnStride, columnStride, into: out + k * nr + col, nr)
        }
    }
    for k in 0..<count {
        let columns = k < fullRows ? fullColumns..<width : 0..<width
        for col in columns { out[k * nr + col] = source[k + col * columnStride] }
    }
}

/// out[r·outStride + c] = source[c·sourceStride + r] for r, c < 8.
@inlinable @inline(__always)
public func transpose8x8(_ source: UnsafePointer<Float>, _ sourceStride: Int,
                          into out: UnsafeMutablePointer<Float>, _ outStride: Int) {
    transpose8x8(rows: { source + $0 * sourceStride }, into: out, outStride)
}

/// out[r·outStride + c] = row(c)[r] for r, c < 8: the usual unpack / shuffle / 128-bit swap sequence,
/// written as lane picks that LLVM lowers to those instructions.
@inlinable @inline(__always)
func transpose8x8(rows row: (Int) -> UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ outStride: Int) {
    let r0 = SIMD8<Float>(loading: row(0), count: 8), r1 = SIMD8<Float>(loading: row(1), count: 8)
    let r2 = SIMD8<Float>(loading: row(2), count: 8), r3 = SIMD8<Float>(loading: row(3), count: 8)
    let r4 = SIMD8<Float>(loading: row(4), count: 8), r5 = SIMD8<Float>(loading: row(5), count: 8)
    let r6 = SIMD8<Float>(loading: row(6), count: 8), r7 = SIMD8<Float>(loading: row(7), count: 8)
    // Pairs of columns interleaved, per 128-bit half.
    let t0 = SIMD8(r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5])
    let t1 = SIMD8(r0[2], r1[2], r0[3], r1[3], r0[6], r1[6], r0[7], r1[7])
    let t2 = SIMD8(r2[0], r3[0], r2[1], r3[1], r2[4], r3[4], r2[5], r3[5])
    let t3 = SIMD8(r2[2], r3[2], r2[3], r3[3], r2[6], r3[6], r2[7], r3[7])
    let t4 = SIMD8(r4[0], r5[0], r4[1], r5[1], r4[4], r5[4], r4[5], r5[5])
    let t5 = SIMD8(r4[2], r5[2], r4[3], r5[3], r4[6], r5[6], r4[7], r5[7])
    let t6 = SIMD8(r6[0], r7[0], r6[1], r7[1], r6[4], r7[4], r6[5], r7[5])
    let t7 = SIMD8(r6[2], r7[2], r6[3], r7[3], r6[6], r7[6], r6[7], r7[7])
    // Four columns per 128-bit half: u[r] holds row r (low half) and row r + 4 (high half).
    let u0 = SIMD8(t0[0], t0[1], t2[0], t2[1], t0[4], t0[5], t2[4], t2[5])
    let u1 = SIMD8(t0[2], t0[3], t2[2], t2[3], t0[6], t0[7], t2[6], t2[7])
    let u2 = SIMD8(t1[0], t1[1], t3[0], t3[1], t1[4], t1[5], t3[4], t3[5])
    let u3 = SIMD8(t1[2], t1[3], t3[2], t3[3], t1[6], t1[7], t3[6], t3[7])
    let v0 = SIMD8(t4[0], t4[1], t6[0], t6[1], t4[4], t4[5], t6[4], t6[5])
    let v1 = SIMD8(t4[2], t4[3], t6[2], t6[3], t4[6], t4[7], t6[6], t6[7])
    let v2 = SIMD8(t5[0], t5[1], t7[0], t7[1], t5[4], t5[5], t7[4], t7[5])
    let v3 = SIMD8(t5[2], t5[3], t7[2], t7[3], t5[6], t5[7], t7[6], t7[7])
    // Columns 0–3 from u, 4–7 from v.
    SIMD8(lowHalf: u0.lowHalf, highHalf: v0.lowHalf).store(to: out, count: 8)
    SIMD8(lowHalf: u1.lowHalf, highHalf: v1.lowHalf).store(to: out + outStride, count: 8)
    SIMD8(lowHalf: u2.lowHalf, highHalf: v2.lowHalf).store(to: out + 2 * outStride, count: 8)
    SIMD8(lowHalf: u3.lowHalf, highHalf: v3.lowHalf).store(to: out + 3 * outStride, count: 8)
    SIMD8(lowHalf: u0.highHalf, highHalf: v0.highHalf).store(to: out + 4 * outStride, count: 8)
    SIMD8(lowHalf: u1.highHalf, highHalf: v1.highHalf).store(to: out + 5 * outStride, count: 8)
    SIMD8(lowHalf: u2.highHalf, highHalf: v2.highHalf).store(to: out + 6 * outStride, count: 8)
    SIMD8(lowHalf: u3.highHalf, highHalf: v3.highHalf).store(to: out + 7 * outStride, count: 8)
}
