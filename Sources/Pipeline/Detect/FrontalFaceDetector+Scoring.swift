extension FrontalFaceDetector {
    /// Filter weights regrouped for `scoreWindows`: for each filter row m, a (10 columns · 32 channels) × 8
    /// matrix whose column k is filter k's row m (columns past the last filter are zero).
    func packedWeights() -> [Float] {
        let cells = Self.filterCells, channels = FHOGFeatures.channels, lanes = 8
        var packed = [Float](repeating: 0, count: cells * cells * channels * lanes)
        for (k, filter) in filters.prefix(lanes).enumerated() {
            for m in 0..<cells {
                for n in 0..<cells {
                    for p in 0..<Self.featurePlanes {
                        let destination: Int = ((m * cells + n) * channels + p) * lanes + k
                        let source: Int = (p * cells + m) * cells + n
                        packed[destination] = Float(filter.weights[source])
                    }
                }
            }
        }
        return packed
    }

    /// Correlates every filter with the features at each window centre (row 5..<rows−4, col 5..<cols−4):
    /// `score = Σ_{p,m,n} F[r−5+m][c−5+n][p] · w[p][m][n]`. Returns `[filter][window]` scores, rounded to
    /// Float as dlib stores them.
    ///
    /// With NHWC features, one filter row (10 cells × 32 channels) meets 320 contiguous floats, so each row
    /// is a 320-long dot product per filter; the five filters are the lanes of one SIMD8. Each row's
    /// product is summed in Float and the ten rows in Double (dlib's own rank-reduced float filtering is
    /// less exact than this; see specs/align.md §4.5).
    func scoreWindows(_ features: FHOGFeatures) -> [Float] {
        let cells = Self.filterCells, channels = FHOGFeatures.channels
        let windowRows = features.rows - (cells - 1), windowCols = features.cols - (cells - 1)
        let windows = windowRows * windowCols, filterCount = min(filters.count, 8)
        guard windowRows > 0, windowCols > 0 else { return [] }
        let weights = packedWeights()
        let rowLength = cells * channels
        var scores = [Float](repeating: 0, count: filterCount * windows)
        weights.withUnsafeBufferPointer { w in
            features.values.withUnsafeBufferPointer { f in
                scores.withUnsafeMutableBufferPointer { out in
                    let w8 = UnsafeRawPointer(w.baseAddress!).assumingMemoryBound(to: SIMD8<Float>.self)
                    // Four neighbouring windows share each weight load.
                    for r in 0..<windowRows {
                        var c = 0
                        while c < windowCols {
                            let block = min(4, windowCols - c)
                            var totals = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
                            for m in 0..<cells {
                                let a = f.baseAddress! + ((r + m) * features.cols + c) * channels
                                let wm = w8 + m * rowLength
                                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                                if block == 4 {
                                    for j in 0..<rowLength {
                                        let wj = wm[j]
                                        s0.addProduct(SIMD8(repeating: a[j]), wj)
                                        s1.addProduct(SIMD8(repeating: a[j + channels]), wj)
                                        s2.addProduct(SIMD8(repeating: a[j + 2 * channels]), wj)
                                        s3.addProduct(SIMD8(repeating: a[j + 3 * channels]), wj)
                                    }
                                } else {
                                    for j in 0..<rowLength { s0.addProduct(SIMD8(repeating: a[j]), wm[j]) }
                                }
                                totals.0 += SIMD8<Double>(s0); totals.1 += SIMD8<Double>(s1)
                                totals.2 += SIMD8<Double>(s2); totals.3 += SIMD8<Double>(s3)
                            }
                            let blockTotals = [totals.0, totals.1, totals.2, totals.3]
                            for i in 0..<block {
                                for k in 0..<filterCount { out[k * windows + r * windowCols + c + i] = Float(blockTotals[i][k]) }
                            }
                            c += block
                        }
                    }
                }
            }
        }
        return scores
    }
}
