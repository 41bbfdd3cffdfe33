import Glibc

/// The passes over t, a band of rows at a time.
///
/// The transposed conv's output t, and its gradient g_t, have (2H+1)² pixels (17 MB in the paper256
/// generator's 128² → 256² layer). Written whole by one step and read back by the next (the phase GEMMs then
/// the blur; the blur's adjoint then the backward-data GEMM), t went through DRAM twice, and on two cores the
/// GEMMs waited on those stores. Instead each worker takes a range of input rows and walks it in bands whose
/// t rows sit in a buffer that stays in L2: one step writes a band's rows, the next reads them. Consecutive
/// bands share a few t rows (three for the blur's four taps, one for the stride-2 conv's three), which move
/// to the top of the buffer rather than being computed again; only a worker's first band computes rows that
/// its neighbour computes too (about one input row of work). A band holds at least two row chunks
/// (`Blocking.mc`) of its GEMM, which streams its B (the weights) once per chunk. Smaller maps, whose t stays
/// in the L3 between the steps, and maps with fewer than `minimumRowsPerWorker` input rows per worker (the
/// first bands' duplicated rows would cost over 3%), run as one band, each step split across the workers.
extension UpsampleConv2D {
    static let minimumRowsPerWorker = 16
    /// Floats of t per image from which the passes go in bands: 8 MiB, a quarter of the L3.
    static let bandedFloats = 1 << 21

    /// Calls `body(band, rowBuffer, image, inputRows, banded)` for each band of input rows of each image,
    /// `band` holding that worker's t rows from the previous band of the image (empty at its first band),
    /// `rowBuffer` room for one t row. Banded, the workers run their bands concurrently and `body` must work
    /// on the calling thread; otherwise one band covers each image and `body` may split its steps.
    func forEachBand(_ body: (inout TransposedBand, UnsafeMutablePointer<Float>, Int, Range<Int>, Bool) -> Void) {
        let threads = Parallel.threadCount
        let rowLength = transposedShape.width * outputChannels
        let banded = height >= Self.minimumRowsPerWorker * threads && transposedShape.height * rowLength >= Self.bandedFloats
        let workers = banded ? threads : 1
        let bandRows = banded ? (2 * Blocking.mc + width) / (width + 1) : height
        // t rows 2a − 1 ... 2b + 1 for input rows a ..< b, and a row buffer.
        let capacity = (2 * bandRows + 3) * rowLength, stride = capacity + rowLength
        ScratchPool.with(workers * stride) { scratch in
            nonisolated(unsafe) let scratch = scratch
            Parallel.forEach(workers) { w in
                let range = share(height, w, workers)
                for n in 0..<batch {
                    var band = TransposedBand(storage: scratch + w * stride, rowLength: rowLength)
                    for a in Swift.stride(from: range.lowerBound, to: range.upperBound, by: bandRows) {
                        body(&band, scratch + w * stride + capacity, n, a..<min(a + bandRows, range.upperBound), banded)
                    }
                }
            }
        }
    }
}

/// C = A·B (beta 0) or C += A·B (beta 1) for a band: on the calling thread inside a banded pass's worker,
/// else split across the workers.
func runBandGemm(_ gather: TapGather, b: PackedMatrix, layout: KLayout, beta: Float, banded: Bool) {
    let tile = Tile.forColumns(b.columns), m = gather.rows
    if banded {
        runGemmOnCurrentThread(gather, m: m, b: b, layout: layout, tile: tile, alpha: 1, beta: beta, bias: nil)
    } else {
        runGemm(gather, m: m, b: b, layout: layout, tile: tile, alpha: 1, beta: beta, bias: nil)
    }
}

extension NHWCShape {
    /// The shape of one of the images.
    var oneImage: NHWCShape { NHWCShape(batch: 1, height: height, width: width, channels: channels) }
}

/// Rows `top ..< end` of one image's transposed-conv output t, stored from `storage` on.
struct TransposedBand {
    let storage: UnsafeMutablePointer<Float>
    let rowLength: Int
    var top = 0
    var end = 0

    init(storage: UnsafeMutablePointer<Float>, rowLength: Int) {
        self.storage = storage
        self.rowLength = rowLength
    }

    /// Drops the rows above `row`, moving the rest up to the start of the storage.
    mutating func keep(from row: Int) {
        guard row > top else { return }
        let kept = max(0, end - row)
        if kept > 0 {
            memmove(storage, storage + (row - top) * rowLength, kept * rowLength * MemoryLayout<Float>.size)
        }
        top = row
        end = max(end, row)
    }
}

