/// The weight gradient of a stride-1 convolution by Winograd F(4×4, 3×3), the transpose of the forward
/// pass's identity Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A (`WinogradF43`): for a tile's 6×6 input window d and its
/// 4×4 block of the output gradient dY,
///   ∂L/∂g += Gᵀ [ (Bᵀ d B) ⊙ (A dY Aᵀ) ] G.
/// A kernel cut into 3×3 blocks (as in the forward pass) gets one such sum per block, each with its own window.
///
/// Per group of tiles:
/// 1. transforms: V[ξ][tile][(block, i)] = (Bᵀ d B)[ξ] (the forward's input transform) and
///    W[ξ][tile][o] = (A dY Aᵀ)[ξ], dY zero outside the map;
/// 2. 36 GEMMs, one per point, K = the group's tiles: M[ξ][(block, i)][o] += Σ_tile V · W.
/// Then once, dW[tap][i][o] = (Gᵀ M G)[tap] for each (block, i, o).
///
/// V is stored in panels of 16 channels (`PanelRows`), so that the GEMM reads its rows along the tiles at a
/// step of 16 floats and each tile writes whole cache lines; W is packed as the GEMM's B by its transform.
/// The 36 GEMMs run in parallel, each on one thread, so every sum runs in the same order whatever the thread
/// count. Multiplies per tile and channel pair: 36, against 9 taps × 16 pixels for the direct GEMM. M holds
/// 36 · K · Cout floats (38 MB for 512 channels in and out), whatever the map size.
extension Conv2D {
    /// Whether `backwardWeights` takes the Winograd path: as `usesWinograd`, but on the automatic path only with
    /// Cin·Cout ≥ 32·(Cin + Cout). The transforms cost about Cin + Cout per tile, the multiplies saved about
    /// Cin·Cout: on StyleGAN2's 1024²×32 layer (one thread, shared machine) Winograd took 290–496 ms against the
    /// GEMM's 314–358, no gain for its larger rounding; on 256²×64, 55–88 ms against 66–93.
    public var usesWinogradForWeightGradient: Bool {
        usesWinograd && (algorithm == .winograd || inputChannels * outputChannels >= 32 * (inputChannels + outputChannels))
    }

    func winogradBackwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                 weightGradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        precondition(fitsWinograd, "Winograd F(4×4, 3×3): \(self) is not a stride-1 layer of whole channel vectors")
        let grid = WinogradGrid(self)
        let k = grid.blocks * grid.blocks * inputChannels, cout = outputChannels, points = WinogradF43.points
        // One point's V and W (perGroup × (k + cout) floats) take at most 256 KiB, as in the forward pass; the
        // groups are balanced, so the last one is not a sliver.
        let limit = max(16, (1 << 16) / (k + cout)), groups = (grid.tiles + limit - 1) / limit
        let perGroup = (grid.tiles + groups - 1) / groups
        let tile = Tile.forColumns(cout), threads = Parallel.threadCount
        let w = (0..<points).map { _ in PackedMatrix(rows: perGroup, columns: cout, panelWidth: tile.nr) }
        let vPoint = perGroup * ((k + 15) / 16 * 16)
        let (v, vCapacity) = ScratchPool.take(points * vPoint)
        let (m, mCapacity) = ScratchPool.take(points * k * cout)
        defer { ScratchPool.give(v, capacity: vCapacity); ScratchPool.give(m, capacity: mCapacity) }
        nonisolated(unsafe) let (vp, mp, input, gradient) = (v, m, input, outputGradient)
        let wp = w.map(\.storage)
        for (group, first) in Swift.stride(from: 0, to: grid.tiles, by: perGroup).enumerated() {
            let count = min(perGroup, grid.tiles - first)
            wp.withUnsafeBufferPointer { wp in
                Parallel.forEach(threads) { worker in
                    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { scratch in
                        // Slots past the last tile (last group only) are zero in V and W, so they add nothing.
                        for slot in share(perGroup, worker, threads) {
                            if slot < count {
                                grid.transformInput(input, mask: nil, tile: first + slot, window: scratch.baseAddress!,
                                                    into: vp + slot * 16, pointStride: vPoint, panelStride: perGroup * 16)
                                grid.transformOutputGradient(gradient, tile: first + slot, scratch: scratch.baseAddress!,
                                                             into: wp.baseAddress!, row: slot, rows: perGroup, panelWidth: tile.nr)
                            } else {
                                for point in 0..<points {
                                    for c in Swift.stride(from: 0, to: k, by: 8) {
                                        (vp + point * vPoint + (c / 16 * perGroup + slot) * 16 + c % 16).update(repeating: 0, count: 8)
                                    }
                                    for c in Swift.stride(from: 0, to: cout, by: 8) {
                                        (wp[point] + (c / tile.nr * perGroup + slot) * tile.nr + c % tile.nr)
                                            .update(repeating: 0, count: 8)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Parallel.forEach(points) { point in
                runGemmOnCurrentThread(
                    PanelRows(a: vp + point * vPoint, length: perGroup, c: mp + point * k * cout, ldc: cout),
                    m: k, b: w[point], layout: KLayout(segments: 1, length: perGroup), tile: tile,
                    alpha: 1, beta: group == 0 ? 0 : 1, bias: nil)
            }
        }
        nonisolated(unsafe) let dw = weightGradient
        Parallel.forEach(threads) { worker in
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 6 * 3) { scratch in
                for row in share(k, worker, threads) {
                    transformProducts(mp + row * cout, pointStride: k * cout, row: row, scratch: scratch.baseAddress!,
                                      into: dw, accumulate: accumulate)
                }
            }
        }
    }

    /// dW for one row (block, i) of M, all output channels: Gᵀ M G of the 6×6 products at
    /// `m + ξ·pointStride + o`, the taps that fall inside the kernel stored (or added) at dW[tap][i][o].
    @inline(__always)
    private func transformProducts(_ m: UnsafePointer<Float>, pointStride: Int, row: Int,
                                   scratch t: UnsafeMutablePointer<SIMD8<Float>>,
                                   into dw: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let blocks = winogradBlocks(kernel), cin = inputChannels, cout = outputChannels
        let block = row / cin, i = row % cin, a0 = block / blocks * 3, b0 = block % blocks * 3
        for o in Swift.stride(from: 0, to: cout, by: 8) {
            let product = { (point: Int) in
                UnsafeRawPointer(m + point * pointStride + o).loadUnaligned(as: SIMD8<Float>.self)
            }
            // Gᵀ along each of the six rows: t[r][0..<3].
            for r in 0..<6 {
                let g = WinogradF43.transformProducts(product(r * 6), product(r * 6 + 1), product(r * 6 + 2),
                                                      product(r * 6 + 3), product(r * 6 + 4), product(r * 6 + 5))
                t[r * 3] = g.0; t[r * 3 + 1] = g.1; t[r * 3 + 2] = g.2
            }
            for b in 0..<min(3, kernel - b0) {
                let g = WinogradF43.transformProducts(t[b], t[3 + b], t[6 + b], t[9 + b], t[12 + b], t[15 + b])
                for a in 0..<min(3, kernel - a0) {
                    let value = a == 0 ? g.0 : a == 1 ? g.1 : g.2
                    let p = UnsafeMutableRawPointer(dw + (((a0 + a) * kernel + b0 + b) * cin + i) * cout + o)
                    p.storeBytes(of: accumulate ? p.loadUnaligned(as: SIMD8<Float>.self) + value : value,
                                 as: SIMD8<Float>.self)
                }
            }
        }
    }
}

extension WinogradGrid {
    /// W[ξ] for one tile: A dY Aᵀ of its 4×4 block of the output gradient (zero outside the map). Point ξ,
    /// channels c..<c+8 go to row `row` of the packed matrix at w[ξ] (`rows` rows, panels `panelWidth` wide).
    @inline(__always)
    func transformOutputGradient(_ gradient: UnsafePointer<Float>, tile: Int, scratch t: UnsafeMutablePointer<SIMD8<Float>>,
                                 into w: UnsafePointer<UnsafeMutablePointer<Float>>, row: Int, rows: Int, panelWidth nr: Int) {
        let (n, y0, x0) = origin(tile)
        let height = min(4, outputHeight - y0), width = min(4, outputWidth - x0)
        for c in stride(from: 0, to: outputChannels, by: 8) {
            let value = { (y: Int, x: Int) -> SIMD8<Float> in
                guard y < height && x < width else { return SIMD8() }
                let offset = ((n * outputHeight + y0 + y) * outputWidth + x0 + x) * outputChannels + c
                return UnsafeRawPointer(gradient + offset).loadUnaligned(as: SIMD8<Float>.self)
            }
            // A along each of the four rows: t[y][0..<6], then along each of the six columns, in place.
            for y in 0..<4 {
                WinogradF43.transformOutputGradient(value(y, 0), value(y, 1), value(y, 2), value(y, 3), into: t + y * 6, stride: 1)
            }
            for x in 0..<6 {
                WinogradF43.transformOutputGradient(t[x], t[6 + x], t[12 + x], t[18 + x], into: t + x, stride: 6)
            }
            let offset = (c / nr * rows + row) * nr + c % nr
            for point in 0..<36 {
                UnsafeMutableRawPointer(w[point] + offset).storeBytes(of: t[point], as: SIMD8<Float>.self)
            }
        }
    }
}

/// A GEMM's A operand stored in panels of 16 rows: row r at step k is a[(r / 16 · length + k) · 16 + r % 16]
/// (one segment of `length` steps), so that the micro-kernel's broadcasts walk down a panel, a cache line per
/// step. C row i is at `c + i·ldc`.
struct PanelRows: RowSource {
    let a: UnsafePointer<Float>
    let length: Int
    let c: UnsafeMutablePointer<Float>
    let ldc: Int

    var ks: Int { 16 }

    func fillRows(_ out: UnsafeMutablePointer<UnsafePointer<Float>>, mr: Int, first: Int, count: Int,
                  segments: Range<Int>) {
        precondition(segments == 0..<1, "PanelRows holds one segment")
        for i in 0..<mr {
            let r = first + (i < count ? i : 0)
            out[i] = a + (r / 16 * length) * 16 + r % 16
        }
    }

    func fillOutputRows(_ out: UnsafeMutablePointer<UnsafeMutablePointer<Float>>, first: Int, count: Int) {
        for i in 0..<count { out[i] = c + (first + i) * ldc }
    }
}
