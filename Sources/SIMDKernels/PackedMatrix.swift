/// A K×N matrix packed as the micro-kernel's B operand: ⌈N/NR⌉ panels, each K rows of NR contiguous
/// floats (zero past column N), panel after panel, 64-byte aligned. Panel j row k holds B[k][j·NR ..< j·NR+NR].
///
/// The layout does not depend on the K blocking, so one packing serves every call (pack weights once
/// per weight update and reuse them).
final class PackedMatrix: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let panelWidth: Int
    let storage: UnsafeMutablePointer<Float>

    init(rows: Int, columns: Int, panelWidth: Int) {
        self.rows = rows
        self.columns = columns
        self.panelWidth = panelWidth
        let count = max(1, panelCount(columns, panelWidth) * rows * panelWidth)
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        storage.initialize(repeating: 0, count: count)
    }

    deinit { storage.deallocate() }

    var panels: Int { panelCount(columns, panelWidth) }

    /// Row `k` of panel `j`.
    func panel(_ j: Int, row k: Int) -> UnsafePointer<Float> {
        UnsafePointer(storage + (j * rows + k) * panelWidth)
    }

    /// Copies `count` rows into rows `firstRow...`: element (k, col) is `source[k·rowStride + col·columnStride]`.
    /// A transposed source is just a different pair of strides.
    func pack(firstRow: Int, count: Int, from source: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        let nr = panelWidth, k0 = firstRow, n = columns
        nonisolated(unsafe) let src = source
        nonisolated(unsafe) let dst = storage
        let total = rows
        let tasks = count * n >= 1 << 16 ? min(Parallel.threadCount, panels) : 1
        Parallel.forEach(tasks) { task in
            for j in stride(from: task, to: panelCount(n, nr), by: tasks) {
                let width = min(nr, n - j * nr)
                for k in 0..<count {
                    let out = dst + (j * total + k0 + k) * nr
                    let from = src + k * rowStride + j * nr * columnStride
                    if columnStride == 1 {
                        out.update(from: from, count: width)
                    } else {
                        for col in 0..<width { out[col] = from[col * columnStride] }
                    }
                }
            }
        }
    }
}

@inline(__always) func panelCount(_ n: Int, _ nr: Int) -> Int { (n + nr - 1) / nr }
