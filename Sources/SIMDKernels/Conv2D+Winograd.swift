/// 3×3 stride-1 padding-1 convolutions by Winograd F(4×4, 3×3) (`WinogradF43`): a quarter of the multiplies
/// of the direct implicit GEMM. Used by `forward` and `backwardData` for such layers (VGG16 and StyleGAN2's
/// conv1 layers, AlexNet's last three) when the channel counts are whole vectors and the map is large
/// enough for the transforms to pay.
///
/// Per block of tiles (4×4 output pixels each):
/// 1. input transform: V[ξ][tile][i] = (Bᵀ d B)[ξ] of the tile's 6×6 window, for the 36 points ξ;
/// 2. 36 GEMMs, one per point: M[ξ][tile][o] = Σ_i V[ξ][tile][i] · U[ξ][i][o], U = G g Gᵀ packed as B;
/// 3. output transform: the tile's 4×4 outputs = Aᵀ M A (+ bias, or + the existing output).
/// The block is sized so that one point's V and M stay in L2 while its GEMM runs.
public final class WinogradWeights: @unchecked Sendable {  // unchecked: read-only after init
    public let inputChannels: Int
    public let outputChannels: Int
    /// U at each of the 36 points: inputChannels × outputChannels, packed for the micro-kernel.
    let points: [PackedMatrix]

    /// Transforms HWIO 3×3 weights `[3][3][inputChannels][outputChannels]`; both counts multiples of 8.
    init(hwio w: UnsafePointer<Float>, inputChannels: Int, outputChannels: Int) {
        precondition(inputChannels % 8 == 0 && outputChannels % 8 == 0, "Winograd weights need whole vectors")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let tile = Tile.forColumns(outputChannels)
        points = (0..<WinogradF43.points).map { _ in
            PackedMatrix(rows: inputChannels, columns: outputChannels, panelWidth: tile.nr)
        }
        let cin = inputChannels, cout = outputChannels, nr = tile.nr
        nonisolated(unsafe) let w = w
        let storages = points.map(\.storage)
        let threads = Parallel.threadCount
        storages.withUnsafeBufferPointer { storages in
            Parallel.forEach(threads) { worker in
                // G along the kernel's rows (a) gives the 6×3 `columns`; G along its columns (b) gives U.
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 6 * 3 + 6) { scratch in
                    let columns = scratch.baseAddress!, u = columns + 6 * 3
                    for i in share(cin, worker, threads) {
                        for o in stride(from: 0, to: cout, by: 8) {
                            let g = { (a: Int, b: Int) in
                                UnsafeRawPointer(w + ((a * 3 + b) * cin + i) * cout + o).loadUnaligned(as: SIMD8<Float>.self)
                            }
                            for b in 0..<3 { WinogradF43.transformWeight(g(0, b), g(1, b), g(2, b), into: columns + b, stride: 3) }
                            let offset = ((o / nr) * cin + i) * nr + o % nr
                            for r in 0..<6 {
                                WinogradF43.transformWeight(columns[r * 3], columns[r * 3 + 1], columns[r * 3 + 2],
                                                            into: u, stride: 1)
                                for c in 0..<6 {
                                    UnsafeMutableRawPointer(storages[r * 6 + c] + offset).storeBytes(of: u[c], as: SIMD8<Float>.self)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Conv2D {
    /// Whether `forward` and `backwardData` take the Winograd path (see `algorithm`).
    public var usesWinograd: Bool {
        let fits = kernel == 3 && stride == 1 && padding == 1 && inputChannels % 8 == 0 && outputChannels % 8 == 0
        switch algorithm {
        case .implicitGemm: return false
        case .winograd: return fits
        case .automatic: return fits && height * width >= Self.winogradMinimumPixels
        }
    }

    /// Smaller maps stay on the implicit GEMM: there the per-call weight transform eats most of the saving,
    /// and at 16×16 (VGG16's conv3 at a 64² input) Winograd's larger rounding moved LPIPS-VGG's image
    /// gradient 2.7e-3 (relative to its max) away from PyTorch's, against 2e-6 with 16² on the implicit GEMM.
    static let winogradMinimumPixels = 32 * 32

    /// The forward pass's weights (HWIO, as in `forward`) transformed once, for repeated
    /// `forward(input:winogradWeights:bias:output:)` calls with fixed weights.
    public func winogradWeights(_ weights: UnsafePointer<Float>) -> WinogradWeights {
        WinogradWeights(hwio: weights, inputChannels: inputChannels, outputChannels: outputChannels)
    }

    /// The backward-data pass's weights: a 3×3 stride-1 padding-1 convolution's input gradient is the
    /// same convolution of the output gradient with the kernel flipped and its channel roles swapped.
    public func winogradBackwardDataWeights(_ weights: UnsafePointer<Float>) -> WinogradWeights {
        let cin = inputChannels, cout = outputChannels
        let flipped = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
        defer { flipped.deallocate() }
        for t in 0..<9 {
            for i in 0..<cin {
                for o in 0..<cout { flipped[((8 - t) * cout + o) * cin + i] = weights[(t * cin + i) * cout + o] }
            }
        }
        return WinogradWeights(hwio: flipped, inputChannels: cout, outputChannels: cin)
    }

    /// `forward` with weights transformed by `winogradWeights`. Requires `usesWinograd`'s shape conditions
    /// (any map size).
    public func forward(input: UnsafePointer<Float>, winogradWeights: WinogradWeights, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>) {
        precondition(winogradWeights.inputChannels == inputChannels && winogradWeights.outputChannels == outputChannels,
                     "Winograd weights transformed for another layer")
        winograd(input: input, weights: winogradWeights, bias: bias, output: output, accumulate: false)
    }

    /// `backwardData` with weights transformed by `winogradBackwardDataWeights`.
    public func backwardData(outputGradient: UnsafePointer<Float>, winogradWeights: WinogradWeights,
                             inputGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        precondition(winogradWeights.inputChannels == outputChannels && winogradWeights.outputChannels == inputChannels,
                     "Winograd weights transformed for another layer")
        let transposed = try! Conv2D(batch: batch, height: height, width: width, inputChannels: outputChannels,
                                     outputChannels: inputChannels, kernel: 3, padding: 1)
        transposed.winograd(input: outputGradient, weights: winogradWeights, bias: nil, output: inputGradient,
                            accumulate: accumulate)
    }

    /// output (=, or += when `accumulate`) conv(input) (+ bias), by the three steps above.
    func winograd(input: UnsafePointer<Float>, weights: WinogradWeights, bias: UnsafePointer<Float>?,
                  output: UnsafeMutablePointer<Float>, accumulate: Bool) {
        precondition(kernel == 3 && stride == 1 && padding == 1, "Winograd F(4×4, 3×3) is for 3×3/1/1 layers")
        let grid = WinogradGrid(self)
        let cin = inputChannels, cout = outputChannels, points = WinogradF43.points
        // One point's V and M (perBlock × (cin + cout) floats) take at most 256 KiB.
        let perBlock = min(grid.tiles, max(16, (1 << 16) / (cin + cout)))
        let v = UnsafeMutablePointer<Float>.allocate(capacity: points * perBlock * cin)
        let m = UnsafeMutablePointer<Float>.allocate(capacity: points * perBlock * cout)
        defer { v.deallocate(); m.deallocate() }
        nonisolated(unsafe) let (vp, mp, bias) = (v, m, bias)
        let tile = Tile.forColumns(cout), threads = Parallel.threadCount
        for first in Swift.stride(from: 0, to: grid.tiles, by: perBlock) {
            let count = min(perBlock, grid.tiles - first)
            Parallel.forEach(threads) { worker in
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { window in
                    for slot in share(count, worker, threads) {
                        grid.transformInput(input, tile: first + slot, channels: cin, window: window.baseAddress!,
                                            into: vp + slot * cin, pointStride: perBlock * cin)
                    }
                }
            }
            Parallel.forEach(points) { point in
                runGemmOnCurrentThread(
                    MatrixRows(a: vp + point * perBlock * cin, rowStride: cin, ks: 1,
                               c: mp + point * perBlock * cout, ldc: cout),
                    m: count, b: weights.points[point], layout: KLayout(segments: 1, length: cin), tile: tile,
                    alpha: 1, beta: 0, bias: nil)
            }
            Parallel.forEach(threads) { worker in
                withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: points) { products in
                    for slot in share(count, worker, threads) {
                        grid.transformOutput(mp + slot * cout, pointStride: perBlock * cout, tile: first + slot,
                                             channels: cout, scratch: products.baseAddress!, bias: bias,
                                             into: output, accumulate: accumulate)
                    }
                }
            }
        }
    }
}

/// The tiling of a convolution's output into 4×4 blocks, and the per-tile transforms.
private struct WinogradGrid {
    let height: Int, width: Int, tilesHigh: Int, tilesWide: Int, tiles: Int

    init(_ conv: Conv2D) {
        height = conv.height
        width = conv.width
        tilesHigh = (height + 3) / 4
        tilesWide = (width + 3) / 4
        tiles = conv.batch * tilesHigh * tilesWide
    }

    /// (image, first output row, first output column) of a tile.
    @inline(__always) func origin(_ tile: Int) -> (n: Int, y: Int, x: Int) {
        let perImage = tilesHigh * tilesWide, r = tile % perImage
        return (tile / perImage, r / tilesWide * 4, r % tilesWide * 4)
    }

    /// V[ξ] for one tile: its 6×6 window (rows y−1…y+4, columns x−1…x+4, zero outside the map), transformed,
    /// written to `v + ξ·pointStride`.
    @inline(__always)
    func transformInput(_ input: UnsafePointer<Float>, tile: Int, channels: Int,
                        window d: UnsafeMutablePointer<SIMD8<Float>>, into v: UnsafeMutablePointer<Float>,
                        pointStride: Int) {
        let (n, y0, x0) = origin(tile)
        for c in stride(from: 0, to: channels, by: 8) {
            for r in 0..<6 {
                let y = y0 - 1 + r
                for col in 0..<6 {
                    let x = x0 - 1 + col
                    d[r * 6 + col] = y >= 0 && y < height && x >= 0 && x < width
                        ? UnsafeRawPointer(input + ((n * height + y) * width + x) * channels + c)
                            .loadUnaligned(as: SIMD8<Float>.self)
                        : SIMD8()
                }
                WinogradF43.transformInput(d + r * 6, stride: 1)
            }
            for col in 0..<6 { WinogradF43.transformInput(d + col, stride: 6) }
            for point in 0..<36 {
                UnsafeMutableRawPointer(v + point * pointStride + c).storeBytes(of: d[point], as: SIMD8<Float>.self)
            }
        }
    }

    /// One tile's outputs from M[ξ] at `m + ξ·pointStride`: Aᵀ M A, plus bias, stored (or added) where the
    /// 4×4 block lies inside the map.
    @inline(__always)
    func transformOutput(_ m: UnsafePointer<Float>, pointStride: Int, tile: Int, channels: Int,
                         scratch t: UnsafeMutablePointer<SIMD8<Float>>, bias: UnsafePointer<Float>?,
                         into output: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let (n, y0, x0) = origin(tile)
        let rows = min(4, height - y0), columns = min(4, width - x0)
        for c in stride(from: 0, to: channels, by: 8) {
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
                    let p = UnsafeMutableRawPointer(output + ((n * height + y0 + r) * width + x0 + col) * channels + c)
                    let previous = accumulate ? p.loadUnaligned(as: SIMD8<Float>.self) : SIMD8()
                    p.storeBytes(of: previous + value + b, as: SIMD8<Float>.self)
                }
            }
        }
    }
}
