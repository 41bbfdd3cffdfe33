extension FrontalFaceDetector {
    /// Correlates every filter with the features at each window centre (row 5..<rows−4, col 5..<cols−4):
    /// `score = Σ_{p,m,n} F[p][r−5+m][c−5+n] · w[p][m][n]`. Returns `[filter][window]` scores, rounded to
    /// Float as dlib stores them.
    ///
    /// For dlib's five filters, eight windows side by side are the lanes of a SIMD8 and two window rows share
    /// each weight broadcast (other filter counts take a plain loop). Either way
    /// each filter row's 310 products are summed in Float before the ten rows are added in Double (dlib's
    /// own rank-reduced float filtering is less exact than this; specs/align.md §4.5).
    func scoreWindows(_ features: FHOGFeatures) -> [Float] {
        let cells = Self.filterCells, planes = Self.featurePlanes
        let windowRows = features.rows - (cells - 1), windowCols = features.cols - (cells - 1)
        guard windowRows > 0, windowCols > 0, !filters.isEmpty else { return [] }
        let windows = windowRows * windowCols, filterCount = filters.count
        // Weights as [m][p][n][filter], so one window-row step reads the filters' weights side by side.
        var weights = [Float](repeating: 0, count: cells * planes * cells * filterCount)
        for (k, filter) in filters.enumerated() {
            for p in 0..<planes {
                for m in 0..<cells {
                    for n in 0..<cells {
                        let destination: Int = ((m * planes + p) * cells + n) * filterCount + k
                        weights[destination] = Float(filter.weights[(p * cells + m) * cells + n])
                    }
                }
            }
        }
        var scores = [Float](repeating: 0, count: filterCount * windows)
        let planeSize = features.rows * features.cols
        weights.withUnsafeBufferPointer { w in
            features.values.withUnsafeBufferPointer { f in
                scores.withUnsafeMutableBufferPointer { out in
                    let f = f.baseAddress!, w = w.baseAddress!
                    guard filterCount == 5, windowRows >= 2, windowCols >= 8 else {
                        for row in 0..<windowRows {
                            for column in 0..<windowCols {
                                let sums = scoreWindow(f + row * features.cols + column, w, rowStride: features.cols,
                                                       planeSize: planeSize, filterCount: filterCount)
                                for k in 0..<filterCount { out[k * windows + row * windowCols + column] = Float(sums[k]) }
                            }
                        }
                        return
                    }
                    // Blocks of 2 rows × 8 columns; the last block of each direction is pulled back to end at
                    // the edge, recomputing a few windows rather than running a slow tail.
                    for rowStart in stride(from: 0, to: windowRows, by: 2) {
                        let r = min(rowStart, windowRows - 2)
                        for columnStart in stride(from: 0, to: windowCols, by: 8) {
                            let c = min(columnStart, windowCols - 8)
                            let sums = scoreBlock(f + r * features.cols + c, w, rowStride: features.cols, planeSize: planeSize)
                            for k in 0..<filterCount {
                                for lane in 0..<8 {
                                    out[k * windows + r * windowCols + c + lane] = Float(sums[k][lane])
                                    out[k * windows + (r + 1) * windowCols + c + lane] = Float(sums[5 + k][lane])
                                }
                            }
                        }
                    }
                }
            }
        }
        return scores
    }
}

/// Scores of one window for every filter: `f` points at its top-left feature in plane 0.
private func scoreWindow(_ f: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rowStride: Int, planeSize: Int,
                         filterCount: Int) -> [Double] {
    let cells = FrontalFaceDetector.filterCells, planes = FrontalFaceDetector.featurePlanes
    var totals = [Double](repeating: 0, count: filterCount)
    var rowSums = [Float](repeating: 0, count: filterCount)
    for m in 0..<cells {
        for k in 0..<filterCount { rowSums[k] = 0 }
        for p in 0..<planes {
            let feature = f + p * planeSize + m * rowStride, weight = w + (m * planes + p) * cells * filterCount
            for n in 0..<cells {
                for k in 0..<filterCount { rowSums[k] += feature[n] * weight[n * filterCount + k] }
            }
        }
        for k in 0..<filterCount { totals[k] += Double(rowSums[k]) }
    }
    return totals
}

/// Scores of 8 × 2 windows (eight columns, two rows) for exactly five filters, the detector dlib ships:
/// entry k holds filter k's scores for the first row, entry 5 + k for the second. Ten named accumulators
/// keep the whole inner loop in registers.
private func scoreBlock(_ f: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rowStride: Int, planeSize: Int) -> [SIMD8<Double>] {
    let cells = FrontalFaceDetector.filterCells, planes = FrontalFaceDetector.featurePlanes
    var totals = [SIMD8<Double>](repeating: .zero, count: 10)
    @inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    for m in 0..<cells {
        var u0 = SIMD8<Float>(), u1 = SIMD8<Float>(), u2 = SIMD8<Float>(), u3 = SIMD8<Float>(), u4 = SIMD8<Float>()
        var l0 = SIMD8<Float>(), l1 = SIMD8<Float>(), l2 = SIMD8<Float>(), l3 = SIMD8<Float>(), l4 = SIMD8<Float>()
        for p in 0..<planes {
            var feature = f + p * planeSize + m * rowStride
            var weight = w + (m * planes + p) * cells * 5
            for _ in 0..<cells {
                let top = load8(feature), bottom = load8(feature + rowStride)
                let w0 = SIMD8<Float>(repeating: weight[0]), w1 = SIMD8<Float>(repeating: weight[1])
                let w2 = SIMD8<Float>(repeating: weight[2]), w3 = SIMD8<Float>(repeating: weight[3])
                let w4 = SIMD8<Float>(repeating: weight[4])
                u0.addProduct(top, w0); l0.addProduct(bottom, w0)
                u1.addProduct(top, w1); l1.addProduct(bottom, w1)
                u2.addProduct(top, w2); l2.addProduct(bottom, w2)
                u3.addProduct(top, w3); l3.addProduct(bottom, w3)
                u4.addProduct(top, w4); l4.addProduct(bottom, w4)
                feature += 1
                weight += 5
            }
        }
        for (k, sum) in [u0, u1, u2, u3, u4, l0, l1, l2, l3, l4].enumerated() { totals[k] += SIMD8<Double>(sum) }
    }
    return totals
}
