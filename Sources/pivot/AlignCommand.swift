import ArgumentParser
import Foundation
import Pipeline

/// `pivot align PHOTO... --output DIR`: every face of every photo, FFHQ-aligned, plus a JSON report per photo.
struct AlignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Find every face in photos and write each one FFHQ-aligned.",
        discussion: """
            For each PHOTO, writes into DIR (created if missing), where <stem> is the
            photo's file name without its extension:
              <stem>.face<i>.png   face i, SIZE x SIZE (face 0: most confident)
              <stem>.faces.json    per face: box, confidence, filter index,
                                   68 landmarks, alignment quad, image name
            Files are written atomically, the report last. A photo without a face
            gets a report with no faces. Progress and errors go to stderr.

            Exit codes:
              0   every photo had at least one face
              3   some photo had no face (the others are still processed)
              1   some photo could not be read or its outputs not written
                  (takes precedence over 3)
              64  invalid arguments
            """
    )

    @Argument(help: "Photos (PNG, JPEG or WebP).")
    var photos: [String]

    @Option(name: [.short, .long], help: "Folder for the aligned faces and reports.")
    var output: String

    @Option(help: "Side of the aligned images (1...\(FFHQAligner.maxOutputSize)).")
    var size = 1024

    @Option(help: "pti: warp straight to SIZE (PTI/e4e); ffhq: warp to 4096, then Lanczos to SIZE (NVlabs FFHQ).")
    var variant: FFHQAlignmentVariant = .pti

    @Option(help: "Doublings before detection (dlib's upsample_num_times, 0...4); 1 finds faces down to about 40 px.")
    var upsample = 1

    @Option(help: "Photos whose header declares more pixels are refused before decoding.")
    var maxPixels = ImageReadOptions.defaultMaxPixels

    @Option(help: "Larger photos are detected on a copy shrunk below this many pixels (0: always full resolution).")
    var detectionPixels = FaceFinder.defaultDetectionPixelBudget

    @Flag(help: "Ignore EXIF orientation, as dlib does (by default photos are turned upright first).")
    var ignoreExif = false

    @Option(help: "dlib's 68-point landmark model.")
    var predictor = AlignDefaults.predictorPath

    func validate() throws {
        guard (1...FFHQAligner.maxOutputSize).contains(size) else {
            throw ValidationError("--size must be in 1...\(FFHQAligner.maxOutputSize), got \(size)")
        }
        guard (0...4).contains(upsample) else { throw ValidationError("--upsample must be in 0...4, got \(upsample)") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive, got \(maxPixels)") }
        guard detectionPixels >= 0 else { throw ValidationError("--detection-pixels must be 0 or more, got \(detectionPixels)") }
        // Two photos with one stem would overwrite each other's outputs.
        let stems = Dictionary(grouping: photos) { AlignedFaceFiles(folder: output, photo: $0).stem }
        if let clash = stems.values.first(where: { $0.count > 1 }) {
            throw ValidationError("\(clash.joined(separator: " and ")) would write the same output files; align them into different folders")
        }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let finder = FaceFinder(detector: try FrontalFaceDetector.builtIn(),
                                predictor: try ShapePredictor(contentsOf: URL(fileURLWithPath: predictor)),
                                upsample: upsample, detectionPixelBudget: detectionPixels)
        let readOptions = ImageReadOptions(maxPixels: maxPixels, appliesExifOrientation: !ignoreExif)
        var failed = 0, faceless = 0
        for (index, photo) in photos.enumerated() {
            let start = Date()
            let prefix = "[\(index + 1)/\(photos.count)] \(photo)"
            do {
                let report = try finder.alignPhoto(at: photo, into: output, variant: variant, outputSize: size,
                                                   readOptions: readOptions)
                let seconds = String(format: "%.1f s", Date().timeIntervalSince(start))
                let files = AlignedFaceFiles(folder: output, photo: photo)
                let reportPath = files.path(of: files.reportName)
                if report.faces.isEmpty {
                    faceless += 1
                    log("\(prefix): no face found in the \(report.width)x\(report.height) image (\(reportPath), \(seconds))")
                } else {
                    log("\(prefix): \(report.width)x\(report.height), \(report.faces.count) face\(report.faces.count == 1 ? "" : "s") -> "
                        + "\(report.faces.compactMap(\.image).joined(separator: ", ")), \(reportPath) (\(seconds))")
                }
            } catch {
                failed += 1
                log("\(prefix): failed: \(error)")
            }
        }
        if failed > 0 { throw ExitCode(1) }
        if faceless > 0 { throw ExitCode(3) }
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension FFHQAlignmentVariant: ExpressibleByArgument {}
