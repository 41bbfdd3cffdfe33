/// `report.json`: what a `pivot process` run did to one photo, with enough to reproduce and judge it.
public struct PhotoReport: Sendable, Codable {
    public var pivotVersion = PivotVersion.string
    public var input: InputRecord
    /// The checkpoint used; nil when the built-in demo generator ran (`demo` says so).
    public var model: ModelIdentity?
    public var demo: String?
    public var generator: GeneratorConfig
    public var lpips: [String: String]
    public var editFiles: [EditSource]
    public var settings: PTISettings
    public var warnings: [String]
    public var faces: [FaceRecord]
    public var totalSeconds: Double

    public struct InputRecord: Sendable, Codable {
        public var file: String
        public var sha256: String
        public var width: Int
        public var height: Int
    }

    public struct FaceRecord: Sendable, Codable {
        public var index: Int
        public var detection: FaceReport.Face
        public var files: [String]
        public var stages: [StageRecord]
        /// (step, loss) pairs, at most ~100 per stage.
        public var invertLoss: [[Double]]
        public var tuneLoss: [[Double]]
        public var tuneStoppedEarly: Bool
        /// LPIPS-AlexNet and PSNR (dB, 8-bit images) against the aligned face.
        public var metrics: [String: Double]
    }

    public struct StageRecord: Sendable, Codable {
        public var name: String
        public var seconds: Double
        public var steps: Int
    }

    /// Up to `points` evenly spaced (step, loss) pairs, always including the last.
    static func sampled(_ losses: [Double], points: Int = 100) -> [[Double]] {
        guard !losses.isEmpty else { return [] }
        let stride = max(1, (losses.count + points - 1) / points)
        var indices = Array(Swift.stride(from: 0, to: losses.count, by: stride))
        if indices.last != losses.count - 1 { indices.append(losses.count - 1) }
        return indices.map { [Double($0 + 1), losses[$0]] }
    }
}
