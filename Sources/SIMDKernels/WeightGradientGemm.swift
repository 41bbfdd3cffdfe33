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
/// row tile's panel stays in L1 across B's panels.
///
/// Work split: when pixels outnumber rows (large maps), each worker takes a range of pixels into its own C
/// and the partial Cs are summed at the end (costs M·N per worker); otherwise each worker takes a range of
/// row tiles and packs every B strip itself (costs K·N per worker).
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
        let rowTiles = (rows + tile.mr - 1) / tile.mr
        let workers = max(1, Parallel.threadCount)
        let splitPixels = pixels > rows
        let parts = min(workers, splitPixels ? pixels : rowTiles)
        let size = rows * columns
        // Workers after the first sum their pixels into partial Cs (beta 0: no initialisation needed).
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: splitPixels ? (parts - 1) * size : 0)
        defer { partials.deallocate() }
        nonisolated(unsafe) let (destination, partialCs) = (destination, partials)
        Parallel.forEach(parts) { w in
            if splitPixels {
                runPart(tile, tiles: 0..<rowTiles, pixels: share(pixels, w, parts),
                        c: w == 0 ? destination : partialCs + (w - 1) * size, beta: w == 0 && accumulate ? 1 : 0)
            } else {
                runPart(tile, tiles: share(rowTiles, w, parts), pixels: 0..<pixels, c: destination,
                        beta: accumulate ? 1 : 0)
            }
        }
        guard splitPixels && parts > 1 else { return }
        Parallel.forEach(workers) { w in
            for i in share(size, w, workers) {
                for part in 1..<parts { destination[i] += partialCs[(part - 1) * size + i] }
            }
        }
    }

    /// C rows of `tiles` (=, or += when beta is 1) the sum over `pixels`, strip by strip.
    private func runPart(_ tile: Tile, tiles: Range<Int>, pixels: Range<Int>, c: UnsafeMutablePointer<Float>,
                         beta: Float) {
        guard !tiles.isEmpty, !pixels.isEmpty else { return }
        let mr = tile.mr, nr = tile.nr, panels = panelCount(columns, nr)
        let kc = stripLength(panels * nr)
        let b = allocateAligned(kc * panels * nr), a = allocateAligned(kc * mr)
        defer { b.deallocate(); a.deallocate() }
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: mr) { aRows in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: mr) { cRows in
                for i in 0..<mr { aRows[i] = UnsafePointer(a + i) }
                for start in Swift.stride(from: pixels.lowerBound, to: pixels.upperBound, by: kc) {
                    let count = min(kc, pixels.upperBound - start)
                    packGradient(firstPixel: start, count: count, panelWidth: nr, into: b)
                    let epilogue = Epilogue(alpha: 1, beta: start == pixels.lowerBound ? beta : 1, bias: nil)
                    for t in tiles {
                        let row = t * mr, m = min(mr, rows - row)
                        packInput(firstRow: row, m: m, mr: mr, firstPixel: start, count: count, into: a)
                        for i in 0..<m { cRows[i] = c + (row + i) * columns }
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

    /// Pixels per strip: `Blocking.kc`, fewer when the strip's B (kc × N) would crowd L2.
    private func stripLength(_ paddedColumns: Int) -> Int {
        min(Blocking.kc, max(16, Blocking.kc * Blocking.nc / paddedColumns))
    }
}

/// `count` floats, 64-byte aligned, uninitialised.
func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(1, count))
}
