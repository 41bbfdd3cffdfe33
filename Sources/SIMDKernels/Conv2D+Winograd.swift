/// Stride-1 convolutions by Winograd F(4×4, 3×3) (`WinogradF43`). Used by `forward` and `backwardData`
/// (see `usesWinograd`): VGG16's and StyleGAN2's 3×3 layers, and AlexNet's 5×5 and 3×3 ones.
///
/// A k×k kernel is cut into ⌈k/3⌉² blocks of 3×3 taps (zero past the kernel's edge); block (p, q) is a
/// 3×3 correlation whose window starts 3p rows and 3q columns further. Per block of tiles (4×4 output
/// pixels each):
/// 1. input transform: V[tile][ξ][(block, i)] = (Bᵀ d B)[ξ] of the block's 6×6 window, for the 36 points ξ;
/// 2. 36 GEMMs, one per point, K = blocks × input channels: M[tile][ξ][o] = Σ V[tile][ξ][k] · U[ξ][k][o],
///    U = G g Gᵀ of each block, packed as B;
/// 3. output transform: the tile's 4×4 outputs = Aᵀ M A (+ bias, or + the existing output).
/// `WinogradSchedule` chooses between two schedules of the steps: each thread runs all three on its own small
/// blocks (V and M stay in its L2), or each step runs over a large group of tiles split among the threads.
/// Multiplies per output: 36/16 per block and channel pair, against k² for the direct GEMM: a quarter for
/// 3×3, 0.36 for 5×5.
public final class WinogradWeights: @unchecked Sendable {  // unchecked: read-only after init
    public let kernel: Int
    public let inputChannels: Int
    public let outputChannels: Int
    /// U at each of the 36 points: (blocks × inputChannels) × outputChannels, packed for the micro-kernel.
    let points: [PackedMatrix]

    /// U's storage, not yet filled.
    private init(kernel: Int, inputChannels: Int, outputChannels: Int) {
        self.kernel = kernel
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let rows = winogradBlocks(kernel) * winogradBlocks(kernel) * inputChannels, nr = Tile.forColumns(outputChannels).nr
        points = (0..<WinogradF43.points).map { _ in PackedMatrix(rows: rows, columns: outputChannels, panelWidth: nr) }
    }

    /// Transforms HWIO weights `[kernel][kernel][inputChannels][outputChannels]`; channel counts multiples of 8.
    /// With `adjoint`, `w` holds the HWIO weights `[kernel][kernel][outputChannels][inputChannels]` of the
    /// layer whose backward-data convolution these weights are for: its kernel is read flipped, with the
    /// channel roles swapped, straight from `w` (no flipped copy).
    convenience init(hwio w: UnsafePointer<Float>, kernel: Int, inputChannels: Int, outputChannels: Int,
                     adjoint: Bool = false) {
        precondition(inputChannels % 8 == 0 && outputChannels % 8 == 0, "Winograd weights need whole vectors")
        self.init(kernel: kernel, inputChannels: inputChannels, outputChannels: outputChannels)
        let span = winogradBlocks(kernel), cin = inputChannels, cout = outputChannels
        let nr = points[0].panelWidth, rows = points[0].rows
        nonisolated(unsafe) let w = w
        let storages = points.map(\.storage)
        let threads = Parallel.threadCount
        storages.withUnsafeBufferPointer { storages in
            Parallel.forEach(threads) { worker in
                // g[tap·8 + r]: the block's 3×3 taps for eight rows (input channels) and eight outputs. Per row,
                // G along the block's rows gives the 6×3 `columns`; G along its columns gives U.
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 9 * 8 + 6 * 3 + 6) { scratch in
                    let g = scratch.baseAddress!, columns = g + 9 * 8
                    for group in share(rows / 8, worker, threads) {
                        let block = 8 * group / cin, i0 = 8 * group % cin, a0 = block / span * 3, b0 = block % span * 3
                        for o in stride(from: 0, to: cout, by: 8) {
                            for a in 0..<3 {
                                for b in 0..<3 {
                                    let taps = g + (a * 3 + b) * 8, y = a0 + a, x = b0 + b
                                    if y >= kernel || x >= kernel {
                                        taps.update(repeating: SIMD8(), count: 8)
                                    } else if adjoint {
                                        // Tap (y, x) is the layer's tap (k−1−y, k−1−x), whose rows are our outputs.
                                        let tap = (kernel - 1 - y) * kernel + kernel - 1 - x
                                        transpose8x8(w + (tap * cout + o) * cin + i0, cin,
                                                     into: UnsafeMutableRawPointer(taps).assumingMemoryBound(to: Float.self), 8)
                                    } else {
                                        for r in 0..<8 {
                                            taps[r] = UnsafeRawPointer(w + ((y * kernel + x) * cin + i0 + r) * cout + o)
                                                .loadUnaligned(as: SIMD8<Float>.self)
                                        }
                                    }
                                }
                            }
                            for r in 0..<8 {
                                Self.transformRow({ g[$0 * 8 + r] }, into: storages, offset: ((o / nr) * rows + 8 * group + r) * nr + o % nr,
                                                  scratch: columns)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension WinogradWeights {
    /// For a 3×3 layer whose weights are produced on every call (StyleGAN2's modulated weights): U straight
    /// from blocks of eight output channels, with no HWIO copy written and read back. `fill(first, taps)`
    /// writes taps[i·9 + t] = tap t (row-major) of input i, lanes along outputs first ..< first + 8. Threads
    /// split the blocks; the transform is `init(hwio:…)`'s, so the same weights give the same U.
    public convenience init(inputChannels cin: Int, outputChannels cout: Int,
                            outputBlocks fill: (Int, UnsafeMutablePointer<SIMD8<Float>>) -> Void) {
        precondition(cin % 8 == 0 && cout % 8 == 0, "Winograd weights need whole vectors")
        self.init(kernel: 3, inputChannels: cin, outputChannels: cout)
        let nr = points[0].panelWidth, blocks = cout / 8, chunks = min(blocks, 4 * Parallel.threadCount)
        let storages = points.map(\.storage)
        storages.withUnsafeBufferPointer { storages in
            Parallel.forEach(chunks) { chunk in
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 9 * cin + 6 * 3 + 6) { buffer in
                    let taps = buffer.baseAddress!, scratch = taps + 9 * cin
                    for block in share(blocks, chunk, chunks) {
                        let o = 8 * block
                        fill(o, taps)
                        for i in 0..<cin {
                            Self.transformRow({ taps[i * 9 + $0] }, into: storages, offset: ((o / nr) * cin + i) * nr + o % nr,
                                              scratch: scratch)
                        }
                    }
                }
            }
        }
    }

    /// One U row's eight columns from its 3×3 taps `tap(0…8)` (row-major): G along the kernel's rows gives the
    /// 6×3 `scratch`, G along its columns the 36 points, stored at `offset` in each point's storage.
    @inline(__always)
    static func transformRow(_ tap: (Int) -> SIMD8<Float>, into storages: UnsafeBufferPointer<UnsafeMutablePointer<Float>>,
                             offset: Int, scratch columns: UnsafeMutablePointer<SIMD8<Float>>) {
        let u = columns + 6 * 3
        for b in 0..<3 {
            WinogradF43.transformWeight(tap(b), tap(3 + b), tap(6 + b), into: columns + b, stride: 3)
        }
        for p in 0..<6 {
            WinogradF43.transformWeight(columns[p * 3], columns[p * 3 + 1], columns[p * 3 + 2], into: u, stride: 1)
            for c in 0..<6 {
                UnsafeMutableRawPointer(storages[p * 6 + c] + offset).storeBytes(of: u[c], as: SIMD8<Float>.self)
            }
        }
    }
}

/// 3×3 blocks per side of a kernel.
@inline(__always) func winogradBlocks(_ kernel: Int) -> Int { (kernel + 2) / 3 }

extension Conv2D {
    /// Whether `forward` and `backwardData` take the Winograd path (see `algorithm`; `backwardWeights`: see
    /// `usesWinogradForWeightGradient`).
    public var usesWinograd: Bool {
        switch algorithm {
        case .implicitGemm, .smallMap: return false
        case .winograd: return fitsWinograd
        case .automatic: return fitsWinograd && outputHeight * outputWidth >= Self.winogradMinimumPixels
        }
    }

    /// Stride 1, kernel ≥ 3 (cut into 3×3 blocks), padding < kernel (so the backward pass's transposed
    /// convolution has padding ≥ 0), channel counts in whole vectors of 8.
    var fitsWinograd: Bool {
        kernel >= 3 && stride == 1 && padding < kernel && inputChannels % 8 == 0 && outputChannels % 8 == 0
    }

    /// Smaller maps stay on the implicit GEMM: there the per-call weight transform eats most of the saving,
    /// and at 16×16 (VGG16's conv3 at a 64² input) Winograd's larger rounding moved LPIPS-VGG's image
    /// gradient 2.7e-3 (relative to its max) away from PyTorch's, against 2e-6 with 16² on the implicit GEMM.
    static let winogradMinimumPixels = 32 * 32

    /// The forward pass's weights (HWIO, as in `forward`) transformed once, for repeated
    /// `forward(input:winogradWeights:bias:output:)` calls with fixed weights.
    public func winogradWeights(_ weights: UnsafePointer<Float>) -> WinogradWeights {
        WinogradWeights(hwio: weights, kernel: kernel, inputChannels: inputChannels, outputChannels: outputChannels)
    }

    /// The backward-data pass's weights: a stride-1 convolution's input gradient is the convolution of the
    /// output gradient (padded by kernel − 1 − padding) with the kernel flipped and its channel roles swapped.
    public func winogradBackwardDataWeights(_ weights: UnsafePointer<Float>) -> WinogradWeights {
        WinogradWeights(hwio: weights, kernel: kernel, inputChannels: outputChannels, outputChannels: inputChannels,
                        adjoint: true)
    }

    /// `forward` with weights transformed by `winogradWeights`. Requires `usesWinograd`'s shape conditions
    /// (any map size). With `relu`, stores max(conv + bias, 0) (NaN → 0) instead: the activation rides on the
    /// output transform rather than costing another pass over the map.
    public func forward(input: UnsafePointer<Float>, winogradWeights: WinogradWeights, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, relu: Bool = false) {
        precondition(winogradWeights.kernel == kernel && winogradWeights.inputChannels == inputChannels
                     && winogradWeights.outputChannels == outputChannels, "Winograd weights transformed for another layer")
        winograd(input: input, mask: nil, weights: winogradWeights, bias: bias, output: output,
                 epilogue: relu ? .relu : .store)
    }

    /// `backwardData` with weights transformed by `winogradBackwardDataWeights`. With `activeOutput` (a map of
    /// the output's shape), the output gradient counts only where that map is > 0: the backward pass of a ReLU
    /// after this convolution, read by the input transform. It selects rather than multiplies, so a NaN or
    /// infinite gradient at an inactive unit does not leak through.
    public func backwardData(outputGradient: UnsafePointer<Float>, winogradWeights: WinogradWeights,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                             activeOutput: UnsafePointer<Float>? = nil) {
        precondition(winogradWeights.kernel == kernel && winogradWeights.inputChannels == outputChannels
                     && winogradWeights.outputChannels == inputChannels, "Winograd weights transformed for another layer")
        let transposed = try! Conv2D(batch: batch, height: outputHeight, width: outputWidth,
                                     inputChannels: outputChannels, outputChannels: inputChannels, kernel: kernel,
                                     padding: kernel - 1 - padding)
        transposed.winograd(input: outputGradient, mask: activeOutput, weights: winogradWeights, bias: nil,
                            output: inputGradient, epilogue: accumulate ? .accumulate : .store)
    }

    /// output ← epilogue(conv(input) (+ bias)), by the three steps above; the input counts only where `mask`
    /// (same shape) is > 0, when given.
    func winograd(input: UnsafePointer<Float>, mask: UnsafePointer<Float>?, weights: WinogradWeights,
                  bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: WinogradEpilogue) {
        precondition(fitsWinograd, "Winograd F(4×4, 3×3): \(self) is not a stride-1 layer of whole channel vectors")
        let grid = WinogradGrid(self)
        let k = grid.blocks * grid.blocks * inputChannels, cout = outputChannels
        if let perBlock = WinogradSchedule.tilesPerBlock(k: k, columns: cout, mr: Tile.forColumns(cout).mr) {
            winogradByThreadBlocks(grid, input: input, mask: mask, weights: weights, bias: bias, output: output,
                                   epilogue: epilogue, perBlock: min(perBlock, grid.tiles))
        } else {
            winogradByGroups(grid, input: input, mask: mask, weights: weights, bias: bias, output: output,
                             epilogue: epilogue)
        }
    }

    /// Each thread runs all three steps on its own blocks of `perBlock` tiles, with V and M private and small
    /// enough to stay in its L2 from the input transform to the output transform. Tile-major: a tile's 36 points
    /// are one contiguous run of rows, written and read whole by the transforms.
    private func winogradByThreadBlocks(_ grid: WinogradGrid, input: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                                        weights: WinogradWeights, bias: UnsafePointer<Float>?,
                                        output: UnsafeMutablePointer<Float>, epilogue: WinogradEpilogue, perBlock: Int) {
        let k = grid.blocks * grid.blocks * inputChannels, cout = outputChannels, points = WinogradF43.points
        let tile = Tile.forColumns(cout), blockCount = (grid.tiles + perBlock - 1) / perBlock
        let kLayout = KLayout(segments: 1, length: k), kBlocks = kLayout.blocks()
        let parts = dynamicParts(blockCount, workers: Parallel.threadCount)
        nonisolated(unsafe) let (mask, bias) = (mask, bias)
        Parallel.forEach(parts) { part in
            ScratchPool.with(points * perBlock * (k + cout)) { v in
                let m = v + points * perBlock * k
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { scratch in
                    let scratch = scratch.baseAddress!
                    for block in share(blockCount, part, parts) {
                        let first = block * perBlock, count = min(perBlock, grid.tiles - first)
                        for slot in 0..<count {
                            grid.transformInput(input, mask: mask, tile: first + slot, window: scratch,
                                                into: v + slot * points * k, pointStride: k, panelStride: 16)
                        }
                        for point in 0..<points {
                            runGemmOnCurrentThread(
                                MatrixRows(a: v + point * k, rowStride: points * k, ks: 1, c: m + point * cout,
                                           ldc: points * cout),
                                m: count, b: weights.points[point], layout: kLayout, blocks: kBlocks, tile: tile,
                                alpha: 1, beta: 0, bias: nil)
                        }
                        for slot in 0..<count {
                            grid.transformOutput(m + slot * points * cout, pointStride: cout, tile: first + slot,
                                                 scratch: scratch, bias: bias, into: output, epilogue: epilogue)
                        }
                    }
                }
            }
        }
    }

    /// The three steps each over a whole group of tiles, split among the threads: for layers whose U is too
    /// large to re-read per small block (see `WinogradSchedule`). The group is sized so that one point's V and M
    /// stay in L2 while its GEMM runs. With long rows (K ≥ 128) V and M are tile-major, so each transform reads
    /// or writes one tile's 36 points as one contiguous block (36 scattered streams were slower) and a point's
    /// GEMM reads its rows at a stride of 36 rows. Short rows stay point-major: a 128-byte row every 4.6 KB
    /// starved the GEMM of StyleGAN2's 32-channel 1024² layers (1.9× slower than point-major).
    private func winogradByGroups(_ grid: WinogradGrid, input: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                                  weights: WinogradWeights, bias: UnsafePointer<Float>?,
                                  output: UnsafeMutablePointer<Float>, epilogue: WinogradEpilogue) {
        let k = grid.blocks * grid.blocks * inputChannels, cout = outputChannels, points = WinogradF43.points
        // One point's V and M rows (perGroup × (k + cout) floats) take at most 256 KiB. Groups a quarter or half
        // that size cost more GEMM time (U re-read per group) than they saved in the transforms; twice it, no change.
        let perGroup = min(grid.tiles, max(16, (1 << 16) / (k + cout)))
        let (v, vCapacity) = ScratchPool.take(points * perGroup * k)
        let (m, mCapacity) = ScratchPool.take(points * perGroup * cout)
        defer { ScratchPool.give(v, capacity: vCapacity); ScratchPool.give(m, capacity: mCapacity) }
        nonisolated(unsafe) let (vp, mp, bias, mask) = (v, m, bias, mask)
        let tile = Tile.forColumns(cout), threads = Parallel.threadCount
        let layout = WinogradLayout(tileMajor: k >= 128, points: points, tiles: perGroup)
        for first in Swift.stride(from: 0, to: grid.tiles, by: perGroup) {
            let count = min(perGroup, grid.tiles - first)
            Parallel.forEach(threads) { worker in
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { window in
                    for slot in share(count, worker, threads) {
                        grid.transformInput(input, mask: mask, tile: first + slot, window: window.baseAddress!,
                                            into: vp + slot * layout.tileStride * k, pointStride: layout.pointStride * k,
                                            panelStride: 16)
                    }
                }
            }
            Parallel.forEach(points) { point in
                runGemmOnCurrentThread(
                    MatrixRows(a: vp + point * layout.pointStride * k, rowStride: layout.tileStride * k, ks: 1,
                               c: mp + point * layout.pointStride * cout, ldc: layout.tileStride * cout),
                    m: count, b: weights.points[point], layout: KLayout(segments: 1, length: k), tile: tile,
                    alpha: 1, beta: 0, bias: nil)
            }
            Parallel.forEach(threads) { worker in
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { products in
                    for slot in share(count, worker, threads) {
                        grid.transformOutput(mp + slot * layout.tileStride * cout, pointStride: layout.pointStride * cout,
                                             tile: first + slot,
                                             scratch: products.baseAddress!, bias: bias,
                                             into: output, epilogue: epilogue)
                    }
                }
            }
        }
    }
}

/// Where tile t's point ξ lives in V and M, in rows: t·tileStride + ξ·pointStride.
private struct WinogradLayout {
    let tileStride: Int
    let pointStride: Int

    init(tileMajor: Bool, points: Int, tiles: Int) {
        (tileStride, pointStride) = tileMajor ? (points, 1) : (1, tiles)
    }
}

/// What the output transform does with a tile's values.
enum WinogradEpilogue {
    case store
    case accumulate
    /// Store max(value, 0), NaN → 0.
    case relu
}

/// The tiling of a convolution's output into 4×4 blocks, and the per-tile transforms.
struct WinogradGrid {
    let height: Int, width: Int, channels: Int
    let outputHeight: Int, outputWidth: Int, outputChannels: Int
    let padding: Int, blocks: Int
    let tilesHigh: Int, tilesWide: Int, tiles: Int

    init(_ conv: Conv2D) {
        height = conv.height
        width = conv.width
        channels = conv.inputChannels
        outputHeight = conv.outputHeight
        outputWidth = conv.outputWidth
        outputChannels = conv.outputChannels
        padding = conv.padding
        blocks = winogradBlocks(conv.kernel)
        tilesHigh = (outputHeight + 3) / 4
        tilesWide = (outputWidth + 3) / 4
        tiles = conv.batch * tilesHigh * tilesWide
    }

    /// (image, first output row, first output column) of a tile.
    @inline(__always) func origin(_ tile: Int) -> (n: Int, y: Int, x: Int) {
        let perImage = tilesHigh * tilesWide, r = tile % perImage
        return (tile / perImage, r / tilesWide * 4, r % tilesWide * 4)
    }

    /// V[ξ] for one tile: for each kernel block (p, q), its 6×6 window (input rows y − padding + 3p + 0…5,
    /// columns likewise; zero outside the map), transformed. Row k = (p, q)·channels + j goes to
    /// `v + ξ·pointStride + k/16 · panelStride + k%16`: in panels of 16 (panelStride 16: one contiguous row).
    @inline(__always)
    func transformInput(_ input: UnsafePointer<Float>, mask: UnsafePointer<Float>?, tile: Int,
                        window d: UnsafeMutablePointer<SIMD8<Float>>, into v: UnsafeMutablePointer<Float>,
                        pointStride: Int, panelStride: Int) {
        let (n, y, x) = origin(tile)
        for block in 0..<(blocks * blocks) {
            let y0 = y - padding + block / blocks * 3, x0 = x - padding + block % blocks * 3
            // Rows and columns of the window inside the map; the rest reads as zero.
            let rows = insideWindow(y0, height), columns = insideWindow(x0, width)
            let interior = rows == 0..<6 && columns == 0..<6
            for c in stride(from: 0, to: channels, by: 8) {
                if !interior { d.update(repeating: SIMD8(), count: 36) }
                // Rows outside the map stay zero, and so does their transform.
                for r in rows {
                    let row = (n * height + y0 + r) * width + x0
                    for col in columns {
                        let offset = (row + col) * channels + c
                        let value = UnsafeRawPointer(input + offset).loadUnaligned(as: SIMD8<Float>.self)
                        if let mask {
                            let active = UnsafeRawPointer(mask + offset).loadUnaligned(as: SIMD8<Float>.self) .> 0
                            d[r * 6 + col] = SIMD8().replacing(with: value, where: active)
                        } else {
                            d[r * 6 + col] = value
                        }
                    }
                    WinogradF43.transformInput(d + r * 6, stride: 1)
                }
                for col in 0..<6 { WinogradF43.transformInput(d + col, stride: 6) }
                let k = block * channels + c, out = v + k / 16 * panelStride + k % 16
                for point in 0..<36 {
                    UnsafeMutableRawPointer(out + point * pointStride).storeBytes(of: d[point], as: SIMD8<Float>.self)
                }
            }
        }
    }

    /// Offsets 0..<6 of a window starting at `start` that fall inside 0..<size (possibly none).
    @inline(__always) private func insideWindow(_ start: Int, _ size: Int) -> Range<Int> {
        let lower = min(6, max(0, -start))
        return lower..<max(lower, min(6, size - start))
    }

    /// One tile's outputs from M[ξ] at `m + ξ·pointStride`: Aᵀ M A, plus bias, stored (or added) where the
    /// 4×4 block lies inside the map.
    @inline(__always)
    func transformOutput(_ m: UnsafePointer<Float>, pointStride: Int, tile: Int,
                         scratch t: UnsafeMutablePointer<SIMD8<Float>>, bias: UnsafePointer<Float>?,
                         into output: UnsafeMutablePointer<Float>, epilogue: WinogradEpilogue) {
        let (n, y0, x0) = origin(tile)
        let rows = min(4, outputHeight - y0), columns = min(4, outputWidth - x0)
        for c in stride(from: 0, to: outputChannels, by: 8) {
            let product = { (point: Int) in
                UnsafeRawPointer(m + point * pointStride + c).loadUnaligned(as: SIMD8<Float>.self)
            }
            // Aᵀ along each of the six rows: t[r][0..<4].
            for r in 0..<6 {
                let y = WinogradF43.transformOutput(product(r * 6), product(r * 6 + 1), product(r * 6 + 2),
                                                    product(r * 6 + 3), product(r * 6 + 4), product(r * 6 + 5))
                t[r * 4] = y.0; t[r * 4 + 1] = y.1; t[r * 4 + 2] = y.2; t[r * 4 + 3] = y.3
            }
            let b = bias.map { UnsafeRawPointer($0 + c).loadUnaligned(as: SIMD8<Float>.self) } ?? SIMD8()
            for col in 0..<columns {
                let y = WinogradF43.transformOutput(t[col], t[4 + col], t[8 + col], t[12 + col], t[16 + col], t[20 + col])
                for r in 0..<rows {
                    let value = r == 0 ? y.0 : r == 1 ? y.1 : r == 2 ? y.2 : y.3
                    let p = UnsafeMutableRawPointer(
                        output + ((n * outputHeight + y0 + r) * outputWidth + x0 + col) * outputChannels + c)
                    switch epilogue {
                    case .store: p.storeBytes(of: value + b, as: SIMD8<Float>.self)
                    case .accumulate: p.storeBytes(of: p.loadUnaligned(as: SIMD8<Float>.self) + value + b, as: SIMD8<Float>.self)
                    case .relu:
                        let y = value + b
                        p.storeBytes(of: SIMD8().replacing(with: y, where: y .> 0), as: SIMD8<Float>.self)
                    }
                }
            }
        }
    }
}
