/// The weight gradient of a convolution as one GEMM over all kernel taps:
///
///     C[tap·channels + c][g] = Σ over grid pixels p of source[window(p, tap)][c] · gradient[p][g]
///
/// for the taps (a, b) of a kernel×kernel window, window((n, y, x), (a, b)) = (n, y·stride + a − padding,
/// x·stride + b − padding), zero outside the source. M = taps × channels, N = gradient columns and
/// K = grid pixels, which is long (a million at 1024²) while C is small.
///
/// Both operands are packed per strip of pixels, BLIS style. Read in place, a row of A steps a whole pixel
/// (channels floats) per k, so each broadcast would touch a new cache line; packed, a row tile is an
/// im2col panel of MR interleaved rows (`packInput`), which the micro-kernel reads with row pointers
/// panel + i and ks = MR. The strip's B (`packGradient`) stays in L2 while every row tile passes, and a
/// row tile's panel stays in L1 across B's panels. Taps of one kernel row share a panel where they can
/// (`plan`), so a 3×3 layer packs each input pixel three times, not nine.
///
/// Work split: when pixels outnumber rows (large maps), each worker takes a range of pixels into its own C
/// and the partial Cs are summed at the end (costs M·N per worker); otherwise the row tiles are cut into
/// several ranges per worker, claimed as workers come free (`dynamicParts`), which share B, packed once up
/// front.
struct WeightGradientGemm {
    /// NHWC, `batch × sourceHeight × sourceWidth × channels`.
    var source: UnsafePointer<Float>
    var sourceHeight: Int
    var sourceWidth: Int
    var channels: Int
    var kernel: Int
    var stride: Int
    var padding: Int
    var batch: Int
    var gridHeight: Int
    var gridWidth: Int
    /// `[pixel][columns]`, pixel = (n·gridHeight + y)·gridWidth + x.
    var gradient: UnsafePointer<Float>
    var columns: Int

    var rows: Int { kernel * kernel * channels }
    var pixels: Int { batch * gridHeight * gridWidth }

    /// destination[r·columns + g] (=, or += when `accumulate`) C[r][g].
    func run(into destination: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let tile = Tile.forColumns(columns)
        let strips = strips(length: stripLength(panelCount(columns, tile.nr) * tile.nr))
        let sharing = strips.allSatisfy { $0.gridRows.count == 1 }
        let plan = cachedPlan(mr: tile.mr, sharing: sharing), extra = sharing ? extraColumns : 0
        let rowTiles = plan.tiles.count
        let workers = max(1, Parallel.threadCount)
        let splitPixels = pixels > rows
        let parts = splitPixels ? min(workers, strips.count) : dynamicParts(rowTiles, workers: workers)
        let partChunks = (0..<parts).map { chunks(splitPixels ? 0..<rowTiles : share(rowTiles, $0, parts), plan, mr: tile.mr) }
        let longest = strips.map { $0.pixels }.max()!, size = rows * columns
        let stripSize = longest * panelCount(columns, tile.nr) * tile.nr
        let inputSize = (longest + extra) * tile.mr * partChunks.joined().map { $0.panels.count }.max()!
        let gradientSize = (splitPixels ? parts : strips.count) * stripSize
        // One scratch buffer for all parts (a pool call per part contends for the pool's lock): each part's
        // packed A; B, either every strip's packed once up front and shared by the row ranges (pixels < rows,
        // so at most rows × columns floats), or per part a strip at a time when parts split the pixels; and
        // then the partial Cs of the parts after the first (beta 0: no initialisation needed).
        ScratchPool.with(parts * inputSize + gradientSize + (splitPixels ? (parts - 1) * size : 0)) { scratch in
            nonisolated(unsafe) let (destination, inputs) = (destination, scratch)
            nonisolated(unsafe) let (gradients, partials) = (scratch + parts * inputSize, scratch + parts * inputSize + gradientSize)
            if !splitPixels {
                let packers = min(workers, strips.count)
                Parallel.forEach(packers) { w in
                    for s in share(strips.count, w, packers) {
                        packGradient(strips[s], panelWidth: tile.nr, into: gradients + s * stripSize)
                    }
                }
            }
            Parallel.forEach(parts) { w in
                let a = inputs + w * inputSize
                if splitPixels {
                    runPart(tile, plan, extra: extra, chunks: partChunks[w], strips: strips[share(strips.count, w, parts)],
                            gradients: (gradients + w * stripSize, 0, true), input: a,
                            c: w == 0 ? destination : partials + (w - 1) * size, beta: w == 0 && accumulate ? 1 : 0)
                } else {
                    runPart(tile, plan, extra: extra, chunks: partChunks[w], strips: strips[...],
                            gradients: (gradients, stripSize, false), input: a, c: destination, beta: accumulate ? 1 : 0)
                }
            }
            guard splitPixels && parts > 1 else { return }
            Parallel.forEach(workers) { w in
                for i in share(size, w, workers) {
                    for part in 1..<parts { destination[i] += partials[(part - 1) * size + i] }
                }
            }
        }
    }

    /// `tiles` cut into the chunks `runPart` packs at a time (at least `Blocking.mc` rows, never splitting
    /// tiles that share a panel), each with its range of packed panels.
    private func chunks(_ tiles: Range<Int>, _ plan: Plan, mr: Int) -> [(tiles: Range<Int>, panels: Range<Int>)] {
        guard !tiles.isEmpty else { return [] }
        var chunks: [Range<Int>] = []
        var start = tiles.lowerBound
        for t in tiles.dropFirst() where t - start >= max(1, Blocking.mc / mr) && plan.tiles[t].panel != plan.tiles[t - 1].panel {
            chunks.append(start..<t)
            start = t
        }
        chunks.append(start..<tiles.upperBound)
        return chunks.map { ($0, plan.tiles[$0.lowerBound].panel..<(plan.tiles[$0.upperBound - 1].panel + 1)) }
    }

    /// C rows of the `chunks`' tiles (=, or += when beta is 1) the sum over the strips' pixels, strip by
    /// strip. Row tiles are packed a chunk at a time into `input` before their kernels run (`packInput`).
    /// Strip s's B is at gradients.base + s·gradients.stride, packed here first when gradients.pack.
    private func runPart(_ tile: Tile, _ plan: Plan, extra: Int, chunks: [(tiles: Range<Int>, panels: Range<Int>)],
                         strips: ArraySlice<Strip>, gradients: (base: UnsafeMutablePointer<Float>, stride: Int, pack: Bool),
                         input a: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, beta: Float) {
        guard !chunks.isEmpty, !strips.isEmpty else { return }
        let mr = tile.mr, nr = tile.nr, panels = panelCount(columns, nr)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: mr) { aRows in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: mr) { cRows in
                for (index, strip) in zip(strips.indices, strips) {
                    let count = strip.pixels, stripPanelSize = (count + extra) * mr
                    let b = gradients.base + index * gradients.stride
                    if gradients.pack { packGradient(strip, panelWidth: nr, into: b) }
                    let epilogue = Epilogue(alpha: 1, beta: index == strips.startIndex ? beta : 1, bias: nil)
                    for (chunk, chunkPanels) in chunks {
                        plan.runs.withUnsafeBufferPointer { runs in
                            let chunkRuns = plan.runStarts[chunkPanels.lowerBound]..<plan.runStarts[chunkPanels.upperBound]
                            packInput(strip, runs: UnsafeBufferPointer(rebasing: runs[chunkRuns]),
                                      firstPanel: chunkPanels.lowerBound, extra: extra, mr: mr, into: a)
                        }
                        for t in chunk {
                            let planned = plan.tiles[t], m = planned.m
                            let panel = a + (planned.panel - chunkPanels.lowerBound) * stripPanelSize + planned.shift * mr
                            for i in 0..<mr { aRows[i] = UnsafePointer(panel + i) }
                            for i in 0..<m { cRows[i] = c + plan.cRows[t * mr + i] * columns }
                            for j in 0..<panels {
                                tile.kernel(KernelCall(
                                    segments: 1, kc: count, a: aRows.baseAddress!, ks: mr, b: b + j * count * nr,
                                    c: cRows.baseAddress!, cOffset: j * nr, m: m, n: min(nr, columns - j * nr),
                                    epilogue: epilogue))
                            }
                        }
                    }
                }
            }
        }
    }

    /// A piece of K: columns `gridColumns` of the grid rows `gridRows` (row index n·gridHeight + y).
    struct Strip {
        var gridRows: Range<Int>
        var gridColumns: Range<Int>
        var pixels: Int { gridRows.count * gridColumns.count }
    }

    /// Strips of at most `length` pixels, ordered so that consecutive strips share most of their source
    /// rows (which then come from L2, not memory): runs of whole grid rows when rows are short, else bands
    /// of columns, each band down all the rows before the next.
    private func strips(length: Int) -> [Strip] {
        let gridRows = batch * gridHeight
        let bands = (gridWidth + length - 1) / length
        let rowsPerStrip = bands == 1 ? max(1, length / gridWidth) : 1
        return (0..<bands).flatMap { band in
            Swift.stride(from: 0, to: gridRows, by: rowsPerStrip).map { first in
                Strip(gridRows: first..<min(first + rowsPerStrip, gridRows), gridColumns: share(gridWidth, band, bands))
            }
        }
    }

    /// Pixels per strip: `Blocking.kc`, fewer when the strip's B (kc × N) would crowd L2.
    private func stripLength(_ paddedColumns: Int) -> Int {
        min(Blocking.kc, max(16, Blocking.kc * Blocking.nc / paddedColumns))
    }
}
