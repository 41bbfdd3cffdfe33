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
    /// A transposed source is just a different pair of strides. Threads split the panels, and each fills
    /// its panels top to bottom (a transposed source is then read down a few columns at a time).
    func pack(firstRow: Int, count: Int, from source: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        let nr = panelWidth, n = columns, total = rows
        nonisolated(unsafe) let src = source
        nonisolated(unsafe) let dst = storage + firstRow * nr
        let tasks = count * n >= 1 << 16 ? min(Parallel.threadCount, panels) : 1
        Parallel.forEach(tasks) { task in
            for j in stride(from: task, to: panelCount(n, nr), by: tasks) {
                let width = min(nr, n - j * nr)
                for k in 0..<count {
                    let out = dst + (j * total + k) * nr
                    let from = src + k * rowStride + j * nr * columnStride
                    if columnStride == 1 {
                        copyFloats(from, to: out, count: width)
                    } else {
                        for col in 0..<width { out[col] = from[col * columnStride] }
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
