import Foundation
import Pipeline

/// INTERIM processing, until the PTI pipeline lands: the parts of it that exist on main. It checks that
/// the model file (when one is configured) is there, decodes the input with Pipeline's codecs (pixel
/// limit enforced from the header), finds faces with the built-in dlib HOG detector, and publishes the
/// input unchanged next to `faces.json` (the boxes found). It edits nothing.
public struct ImageCheckProcessor: JobProcessor {
    public let config: WatchConfig
    private let detector: FrontalFaceDetector

    public init(config: WatchConfig) throws {
        self.config = config
        detector = try FrontalFaceDetector.builtIn()
    }

    public func process(_ job: Job, progress: JobProgressReporter) throws {
        progress.report(stage: "model", step: 0, of: 1)
        if let model = config.model, !FileManager.default.isReadableFile(atPath: model) {
            throw JobError.transient(stage: "model", "model file \(LogText.quoted(model)) is missing or unreadable")
        }
        progress.report(stage: "decode", step: 0, of: 1)
        let image: RGBImage
        do {
            image = try ImageCodec.read(job.input, options: ImageReadOptions(maxPixels: config.limits.maxPixels))
        } catch let error as ImageError {
            // An input the daemon has just claimed that cannot be read points at the machine, not the file.
            let kind: JobError.Kind = error.kind == .unreadable ? .transient : .permanent
            throw JobError(kind, stage: "decode", error.reason)
        }
        progress.report(stage: "detect", step: 0, of: 1)
        let faces = try detector.detect(pixels: image.pixels, width: image.width, height: image.height,
                                        upsample: Self.upsampling(width: image.width, height: image.height))
        guard !faces.isEmpty else {
            throw JobError.permanent(stage: "detect", "no face found in the \(image.width)x\(image.height) image")
        }
        if progress.stopRequested { throw JobError.interrupted(stage: "detect") }
        progress.report(stage: "write", step: 0, of: 1)
        try FileSystem.copyFile(job.input.path, to: job.outputFolder.path + "/" + job.name)
        let report: [String: Any] = [
            "file": job.name, "width": image.width, "height": image.height,
            "faces": faces.map { ["left": $0.box.left, "top": $0.box.top, "right": $0.box.right,
                                  "bottom": $0.box.bottom, "confidence": $0.confidence] },
        ]
        let json = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try FileSystem.writeAtomically(json, to: job.outputFolder.path + "/faces.json", durable: false)
        progress.report(stage: "write", step: 1, of: 1)
    }

    /// dlib's default of one doubling finds faces down to about 40 px; above a megapixel faces that
    /// small are not worth editing, and doubling would make detection four times slower.
    static func upsampling(width: Int, height: Int) -> Int { width * height <= 1 << 20 ? 1 : 0 }
}
