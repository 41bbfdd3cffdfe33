import Foundation

/// dlib's cascaded regression-tree shape predictor (Kazemi & Sullivan 2014), e.g. the 68-point face model
/// `shape_predictor_68_face_landmarks.dat` (specs/align.md §5). Parsing the 100 MB file takes a while, so
/// load it once and share it.
public final class ShapePredictor: Sendable {
    /// One split node: compare pool pixels `first` and `second` of the cascade with `threshold`.
    struct Split: Sendable {
        var first: Int32
        var second: Int32
        var threshold: Float
    }

    /// Box-normalised mean shape, `x0, y0, x1, y1, …`.
    let initialShape: [Float]
    /// Per cascade: all trees' splits, `splitsPerTree` per tree, in heap order (children of i: 2i+1, 2i+2).
    let splits: [[Split]]
    /// Per cascade: all trees' leaves, `leavesPerTree · shape.count` floats per tree.
    let leaves: [[Float]]
    /// Per cascade: the landmark each pool pixel hangs on and its offset from it (normalised units).
    let anchors: [[Int]]
    let deltas: [[SIMD2<Float>]]
    let splitsPerTree: Int
    let treesPerCascade: [Int]

    public var landmarkCount: Int { initialShape.count / 2 }
    public var cascadeCount: Int { splits.count }

    public convenience init(contentsOf url: URL) throws {
        try self.init(bytes: try readModelFile(url), file: url.path)
    }

    public init(bytes: [UInt8], file: String) throws {
        var reader = DlibStreamReader(bytes: bytes, file: file)
        try reader.expectVersion(1, of: "shape_predictor")
        let shape = try reader.floatColumnVector("initial_shape")
        guard !shape.isEmpty, shape.count % 2 == 0 else {
            throw reader.error("initial_shape has \(shape.count) values; expected a positive even count")
        }
        initialShape = shape

        var splitsPerTree: Int?
        var cascadeSplits: [[Split]] = [], cascadeLeaves: [[Float]] = [], treeCounts: [Int] = []
        let cascades = try reader.count("cascade count", minimumBytes: 2)
        for _ in 0..<cascades {
            var allSplits: [Split] = [], allLeaves: [Float] = []
            let trees = try reader.count("tree count", minimumBytes: 4)
            for _ in 0..<trees {
                let treeSplits = try reader.vector("splits", minimumElementBytes: 6) { r in
                    Split(first: Int32(clamping: try r.unsignedInteger("split idx1")),
                          second: Int32(clamping: try r.unsignedInteger("split idx2")),
                          threshold: try r.float("split threshold"))
                }
                if splitsPerTree == nil { splitsPerTree = treeSplits.count }
                guard treeSplits.count == splitsPerTree, (treeSplits.count + 1) & treeSplits.count == 0 else {
                    throw reader.error("tree has \(treeSplits.count) splits; expected a full tree like the first one")
                }
                let leafCount = try reader.count("leaf count", minimumBytes: 4)
                guard leafCount == treeSplits.count + 1 else {
                    throw reader.error("tree has \(leafCount) leaves for \(treeSplits.count) splits")
                }
                for _ in 0..<leafCount {
                    let leaf = try reader.floatColumnVector("leaf")
                    guard leaf.count == shape.count else {
                        throw reader.error("leaf has \(leaf.count) values, the shape has \(shape.count)")
                    }
                    allLeaves += leaf
                }
                allSplits += treeSplits
            }
            cascadeSplits.append(allSplits)
            cascadeLeaves.append(allLeaves)
            treeCounts.append(trees)
        }
        let landmarks = shape.count / 2
        let anchors = try reader.vector("anchor_idx", minimumElementBytes: 2) { r in
            try r.vector("anchor_idx pool", minimumElementBytes: 2) { r in
                let anchor = try r.unsignedInteger("anchor index")
                guard anchor < UInt64(landmarks) else { throw r.error("anchor index \(anchor) ≥ \(landmarks) landmarks") }
                return Int(anchor)
            }
        }
        let deltas = try reader.vector("deltas", minimumElementBytes: 2) { r in
            try r.vector("deltas pool", minimumElementBytes: 8) { r in
                SIMD2<Float>(try r.float("delta x"), try r.float("delta y"))
            }
        }
        guard anchors.count == cascades, deltas.count == cascades else {
            throw reader.error("\(cascades) cascades but \(anchors.count) anchor and \(deltas.count) delta pools")
        }
        for c in 0..<cascades {
            let pool = anchors[c].count
            guard deltas[c].count == pool else { throw reader.error("cascade \(c): anchor and delta pools differ in size") }
            guard cascadeSplits[c].allSatisfy({ Int($0.first) < pool && Int($0.second) < pool }) else {
                throw reader.error("cascade \(c): a split refers to a pixel outside its pool of \(pool)")
            }
        }
        try reader.expectEnd()
        self.splits = cascadeSplits
        self.leaves = cascadeLeaves
        self.anchors = anchors
        self.deltas = deltas
        self.splitsPerTree = splitsPerTree ?? 0
        self.treesPerCascade = treeCounts
    }
}
