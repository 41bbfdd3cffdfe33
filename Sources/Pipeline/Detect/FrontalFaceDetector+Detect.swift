/// One face found by the HOG detector.
public struct FaceDetection: Sendable, Equatable {
    /// Inclusive pixel rectangle in the input image.
    public var box: PixelRect
    /// Filter score minus that filter's threshold (dlib's `detection_confidence`); ≥ 0 for every detection.
    public var confidence: Double
    /// Which of the five filters fired (dlib's `weight_index`): 0 frontal, 1 left, 2 right profile,
    /// 3 frontal rotated left, 4 frontal rotated right.
    public var filterIndex: Int

    public init(box: PixelRect, confidence: Double, filterIndex: Int) {
        self.box = box; self.confidence = confidence; self.filterIndex = filterIndex
    }
}

extension FrontalFaceDetector {
    /// Detects faces in interleaved 8-bit RGB pixels as dlib's Python `detector(image, upsample)` does
    /// (specs/align.md §4): `upsample` doublings first (1 finds faces down to about 40 px), then the
    /// pyramid scan, non-maximum suppression, and boxes mapped back to input pixels.
    ///
    /// Order: confidence descending; equal confidences keep filter order, then pyramid level, then raster
    /// order of the window (dlib leaves ties unspecified).
    public func detect(pixels: [UInt8], width: Int, height: Int, upsample: Int = 1) throws -> [FaceDetection] {
        try checkRGBBuffer(pixels, width: width, height: height)
        guard (0...4).contains(upsample) else {
            throw PixelBufferError(description: "upsample must be 0…4, got \(upsample)")
        }
        var image = RGBImage(width: width, height: height, pixels: pixels)
        for _ in 0..<upsample { image = dlibPyramidUp(image) }
        let found = suppressOverlaps(scanPyramid(image))
        return found.map { detection in
            var box = detection.box
            if upsample > 0 { box = mapDownThroughUpsampling(box, times: upsample) }
            return FaceDetection(box: box, confidence: detection.confidence, filterIndex: detection.filterIndex)
        }
    }

    /// Every window of every pyramid level whose score reaches its filter's threshold, in level-0 pixels.
    func scanPyramid(_ image: RGBImage) -> [FaceDetection] {
        var detections: [FaceDetection] = []
        var level = image
        for index in 0..<pyramidLevelCount(width: image.width, height: image.height) {
            if index > 0 {
                level = dlibResizeBilinear(level, width: (5 * level.width) / 6, height: (5 * level.height) / 6)
            }
            guard let features = extractFHOG(level) else { break }
            let scores = scoreWindows(features)
            let positions = scores.count / max(filters.count, 1)
            for filter in filters.indices {
                let threshold = filters[filter].threshold
                for position in 0..<positions {
                    // dlib keeps scores in a Float image and compares them with the Double threshold.
                    let score = Double(scores[filter * positions + position])
                    guard score >= threshold else { continue }
                    let row = position / (features.cols - 9) + 5, col = position % (features.cols - 9) + 5
                    detections.append(FaceDetection(box: windowBox(row: row, col: col, level: index),
                                                    confidence: score - threshold, filterIndex: filter))
                }
            }
        }
        return detections
    }

    /// dlib's level count: shrink the image rectangle by 5/6 (rounding each time) until it is narrower or
    /// shorter than 64 pixels, counting the step that fails.
    func pyramidLevelCount(width: Int, height: Int) -> Int {
        var rect = PixelRect(left: 0, top: 0, right: width - 1, bottom: height - 1)
        var levels = 0
        let ratio = (6 - 1.0) / 6
        repeat {
            rect = PixelRect(left: dlibRound((Double(rect.left) - 0.3) * ratio),
                             top: dlibRound((Double(rect.top) - 0.3) * ratio),
                             right: dlibRound((Double(rect.right) - 0.3) * ratio),
                             bottom: dlibRound((Double(rect.bottom) - 0.3) * ratio))
            levels += 1
        } while rect.width >= Self.minimumLevelSide && rect.height >= Self.minimumLevelSide && levels < Self.maximumLevels
        return levels
    }

    /// The 80×80-pixel window centred on feature cell (row, col) of a level, mapped to level-0 pixels.
    func windowBox(row: Int, col: Int, level: Int) -> PixelRect {
        // Feature cell → level pixels (dlib's fhog_to_image): centre of the cell, shifted off zero.
        func toPixels(_ p: Int) -> Double {
            let v = (p + 1 - 4) * Self.cellSize + 1
            return Double(v >= 0 ? v + Self.cellSize / 2 : v - Self.cellSize / 2)
        }
        // Level → level 0 (pyramid_down<6>::point_up applied `level` times), rounded once at the end.
        func up(_ v: Double) -> Int {
            var v = v
            for _ in 0..<level { v = v * (6 / (6 - 1.0)) + 0.3 }
            return dlibRound(v)
        }
        return PixelRect(left: up(toPixels(col - 5)), top: up(toPixels(row - 5)),
                         right: up(toPixels(col + 4)), bottom: up(toPixels(row + 4)))
    }

    /// Keeps the strongest detections, dropping any that overlaps one already kept (any filter).
    func suppressOverlaps(_ detections: [FaceDetection]) -> [FaceDetection] {
        let ordered = detections.enumerated().sorted {
            $0.element.confidence != $1.element.confidence ? $0.element.confidence > $1.element.confidence
                                                           : $0.offset < $1.offset
        }.map(\.element)
        var kept: [FaceDetection] = []
        for candidate in ordered where !kept.contains(where: { overlaps($0.box, candidate.box) }) {
            kept.append(candidate)
        }
        return kept
    }

    /// dlib's `test_box_overlap`; note the "union" is the bounding box of both rectangles.
    func overlaps(_ a: PixelRect, _ b: PixelRect) -> Bool {
        let inner = Double(a.intersection(b).area)
        guard inner > 0 else { return false }
        return inner / Double(a.boundingBox(b).area) > overlapIoU
            || inner / Double(a.area) > overlapCovered
            || inner / Double(b.area) > overlapCovered
    }
}

/// dlib's `pyramid_up` with `pyramid_down<2>`: the image rectangle's corners map by `(p + (1.25, 0.75))·2`,
/// giving (2H+1) rows × (2W+2) columns, filled by dlib's bilinear resize.
func dlibPyramidUp(_ image: RGBImage) -> RGBImage {
    let right = dlibRound((Double(image.width - 1) + 1.25) * 2)
    let bottom = dlibRound((Double(image.height - 1) + 0.75) * 2)
    return dlibResizeBilinear(image, width: right + 1, height: bottom + 1)
}

/// Maps a box found on an upsampled image back: `p/2 − (1.25, 0.75)` per doubling, rounded at the end.
func mapDownThroughUpsampling(_ box: PixelRect, times: Int) -> PixelRect {
    func down(_ v: Int, _ shift: Double) -> Int {
        var v = Double(v)
        for _ in 0..<times { v = v / 2 - shift }
        return dlibRound(v)
    }
    return PixelRect(left: down(box.left, 1.25), top: down(box.top, 0.75),
                     right: down(box.right, 1.25), bottom: down(box.bottom, 0.75))
}
