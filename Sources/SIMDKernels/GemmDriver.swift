/// The loop nest around the micro-kernel, shared by `sgemm` and every convolution.
///
/// A GEMM here is C[m×N] = alpha·A·B + beta·C (+ bias), with B a `PackedMatrix` (K×N) and A supplied
/// row by row by a `RowSource`. K is `segments × length` (a convolution's taps × input channels; a plain
/// GEMM has one segment), and A's rows may jump between segments (a tap moves the window) but advance by
/// `ks` within one.
protocol RowSource {
    /// Distance between consecutive k of one A row, in floats.
    var ks: Int { get }
    /// Writes `segments.count · mr` pointers, segment after segment: rows first..<first+count of A at the
    /// segment's k = 0. Entries for rows count..<mr repeat some valid row (their results are discarded).
    func fillRows(_ out: UnsafeMutablePointer<UnsafePointer<Float>>, mr: Int, first: Int, count: Int,
                  segments: Range<Int>)
    /// Writes `count` pointers to column 0 of C rows first..<first+count.
    func fillOutputRows(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>>, first: Int, count: Int)
}

/// K as `segments` runs of `length` steps each.
struct KLayout {
    var segments: Int
    var length: Int

    /// One micro-kernel call's share of K: whole segments when they are short, else a chunk of one.
    struct Block {
        var firstSegment: Int
        var segmentCount: Int
        var offset: Int
        var kc: Int
    }

    /// Blocks of about `kc` steps, balanced so that no block is a sliver.
    func blocks(kc: Int = Blocking.kc) -> [Block] {
        guard segments > 0, length > 0 else { return [Block(firstSegment: 0, segmentCount: 0, offset: 0, kc: 0)] }
        if length >= kc {
            let chunks = (length + kc - 1) / kc
            return (0..<segments).flatMap { s in
                (0..<chunks).map { c in
                    let lo = c * length / chunks, hi = (c + 1) * length / chunks
                    return Block(firstSegment: s, segmentCount: 1, offset: lo, kc: hi - lo)
                }
            }
        }
        let perBlock = kc / length
        let count = (segments + perBlock - 1) / perBlock
        return (0..<count).map { c in
            let lo = c * segments / count, hi = (c + 1) * segments / count
            return Block(firstSegment: lo, segmentCount: hi - lo, offset: 0, kc: length)
        }
    }
}

/// How one `runGemm` call blocks for the caches.
struct GemmBlocking {
    /// K steps per micro-kernel call.
    var kc = Blocking.kc
    /// Whether a chunk of row tiles is a worker's whole range rather than `Blocking.mc` rows.
    var wholeRange = false

    static let standard = GemmBlocking()
    /// For an A read in place k-major with a long row stride (the small-map forward reads HWIO weights as rows
    /// of output channels: one W row per k). In `Blocking.mc`-row chunks the kernels read a 48-float band of
    /// each W row, a new 4 KiB page every four rows, and the fetch from L3 stalls them; here each K block (half
    /// the usual length) runs all of a range's row tiles, which read the block's W rows through. Best of six
    /// paired one-thread runs of a 4×4×256 forward: 60–65 -> 70–74 GFLOP/s.
    static let kMajorRows = GemmBlocking(kc: Blocking.kc / 2, wholeRange: true)
}

/// Runs C = alpha·A·B + beta·C (+ bias on the columns) over all cores.
///
/// Work split: contiguous ranges of row tiles (sharing B read-only), unless the rows are too few to
/// balance (StyleGAN's 4×4 and 8×8 layers); then ranges of B panels instead. No split ever divides K, so
/// no reduction is needed and the thread count never changes a bit of C. The ranges are several per
/// worker (`dynamicParts`), claimed as workers come free, so a worker that shares its core with another
/// program slows the call down by its own share only instead of making the others wait for its half.
func runGemm<Source: RowSource>(_ source: Source, m: Int, b: PackedMatrix, layout: KLayout, tile: Tile,
                                alpha: Float, beta: Float, bias: UnsafePointer<Float>?,
                                blocking: GemmBlocking = .standard) {
    precondition(b.panelWidth == tile.nr && b.rows == layout.segments * layout.length, "B packed for another shape")
    guard m > 0, b.columns > 0 else { return }
    let rowTiles = (m + tile.mr - 1) / tile.mr, panels = b.panels
    let workers = max(1, Parallel.threadCount)
    let rowSplitWork = (rowTiles + workers - 1) / workers * panels
    let panelSplitWork = (panels + workers - 1) / workers * rowTiles
    let splitRows = rowSplitWork <= panelSplitWork
    let parts = dynamicParts(splitRows ? rowTiles : panels, workers: workers)
    let blocks = layout.blocks(kc: blocking.kc)
    nonisolated(unsafe) let bias = bias
    Parallel.forEach(parts) { part in
        let tiles = splitRows ? share(rowTiles, part, parts) : 0..<rowTiles
        let columns = splitRows ? 0..<panels : share(panels, part, parts)
        runPart(source, m: m, b: b, layout: layout, blocks: blocks, tile: tile, tiles: tiles, panels: columns,
                wholeRange: blocking.wholeRange, first: Epilogue(alpha: alpha, beta: beta, bias: bias))
    }
}

/// How many ranges to cut `units` (row tiles or panels) into for `workers` threads: up to eight per worker,
/// each at least eight units (a chunk of rows, a group of panels, so the blocking inside a range is
/// unchanged), and a multiple of `workers` so that equal-speed workers get equal shares.
func dynamicParts(_ units: Int, workers: Int) -> Int {
    guard workers > 1 else { return 1 }
    return workers * max(1, min(8, units / (workers * 8)))
}

/// `runGemm` on the calling thread alone, for callers that run many independent GEMMs in parallel. Callers
/// that run thousands of small GEMMs of one layout pass its `blocks()` once (an array allocation per call
/// cost Winograd's blocked schedule about 5%).
func runGemmOnCurrentThread<Source: RowSource>(_ source: Source, m: Int, b: PackedMatrix, layout: KLayout,
                                               blocks: [KLayout.Block]? = nil, tile: Tile, alpha: Float,
                                               beta: Float, bias: UnsafePointer<Float>?) {
    precondition(b.panelWidth == tile.nr && b.rows == layout.segments * layout.length, "B packed for another shape")
    guard m > 0, b.columns > 0 else { return }
    runPart(source, m: m, b: b, layout: layout, blocks: blocks ?? layout.blocks(), tile: tile,
            tiles: 0..<((m + tile.mr - 1) / tile.mr), panels: 0..<b.panels, wholeRange: false,
            first: Epilogue(alpha: alpha, beta: beta, bias: bias))
}

/// The w-th of `parts` contiguous, near-equal ranges of 0..<count.
@inline(__always) func share(_ count: Int, _ w: Int, _ parts: Int) -> Range<Int> {
    (w * count / parts)..<((w + 1) * count / parts)
}

/// One worker's loop nest, BLIS order with A read in place: B columns in groups of `Blocking.nc`, row tiles
/// in chunks of `Blocking.mc` rows, then K blocks, then panels, then row tiles. A panel's B block (kc × NR)
/// stays in L1 while the chunk's row tiles pass over it; the chunk's A rows (mc × kc) and C (mc × nc) stay
/// in L2 across the panels and K blocks. With `wholeRange`, one chunk holds all the `tiles`.
private func runPart<Source: RowSource>(_ source: Source, m: Int, b: PackedMatrix, layout: KLayout,
                                        blocks: [KLayout.Block], tile: Tile, tiles: Range<Int>,
                                        panels: Range<Int>, wholeRange: Bool, first: Epilogue) {
    guard !tiles.isEmpty, !panels.isEmpty else { return }
    let mr = tile.mr, nr = tile.nr, n = b.columns, ks = source.ks
    let panelsPerGroup = max(1, Blocking.nc / nr), tilesPerChunk = wholeRange ? tiles.count : max(1, Blocking.mc / mr)
    let rowsPerTile = max(1, blocks.map(\.segmentCount).max() ?? 1) * mr
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: tilesPerChunk * rowsPerTile) { aRows in
        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: tilesPerChunk * mr) { cRows in
            let aRows = aRows.baseAddress!, cRows = cRows.baseAddress!
            for group in stride(from: panels.lowerBound, to: panels.upperBound, by: panelsPerGroup) {
                let groupPanels = group..<min(group + panelsPerGroup, panels.upperBound)
                for chunk in stride(from: tiles.lowerBound, to: tiles.upperBound, by: tilesPerChunk) {
                    let chunkTiles = chunk..<min(chunk + tilesPerChunk, tiles.upperBound)
                    for t in chunkTiles {
                        source.fillOutputRows(cRows + (t - chunk) * mr, first: t * mr, count: min(mr, m - t * mr))
                    }
                    for (index, block) in blocks.enumerated() {
                        let epilogue = index == 0 ? first : Epilogue(alpha: first.alpha, beta: 1, bias: nil)
                        let kRow = block.firstSegment * layout.length + block.offset
                        let segments = block.firstSegment..<(block.firstSegment + block.segmentCount)
                        for t in chunkTiles {
                            let rows = aRows + (t - chunk) * rowsPerTile
                            source.fillRows(rows, mr: mr, first: t * mr, count: min(mr, m - t * mr), segments: segments)
                            if block.offset != 0 {
                                for i in 0..<(segments.count * mr) { rows[i] += block.offset * ks }
                            }
                        }
                        for j in groupPanels {
                            for t in chunkTiles {
                                tile.kernel(KernelCall(
                                    segments: block.segmentCount, kc: block.kc, a: aRows + (t - chunk) * rowsPerTile,
                                    ks: ks, b: b.panel(j, row: kRow), c: cRows + (t - chunk) * mr, cOffset: j * nr,
                                    m: min(mr, m - t * mr), n: min(nr, n - j * nr), epilogue: epilogue))
                            }
                        }
                    }
                }
            }
        }
    }
}
