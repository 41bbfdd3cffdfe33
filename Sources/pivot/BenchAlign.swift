import ArgumentParser
import Foundation
import Pipeline
import PivotBenchmarks

/// `pivot bench align`: detection, landmarks and alignment milliseconds per photo, on one core.
struct BenchAlign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "align",
        abstract: "Milliseconds per photo for face detection, 68-point landmarks and alignment (one thread).",
        discussion: """
            Without PHOTO arguments, runs on the fixture photos ($PIVOT_FIXTURES/faces, default \
            ../shared/fixtures/faces). With --dlib, also runs dlib 19.24's own C++ on the same photos \
            (build it with scripts/build-dlib-reference).
            """
    )

    @Argument(help: "Photos to measure (PNG, JPEG or WebP).")
    var photos: [String] = []

    @Option(help: "Timed rounds per photo (median and max are reported).")
    var repeats = 5

    @Option(help: "Doublings before detection, as dlib's upsample_num_times.")
    var upsample = 1

    @Option(help: "Side of the aligned faces.")
    var size = 1024

    @Option(help: "Alignment variants to time, comma-separated (pti, ffhq); empty: none.")
    var variants = "pti,ffhq"

    @Option(help: "The 68-point model.")
    var predictor = AlignDefaults.predictorPath

    @Option(help: "dlib's reference tool (from scripts/build-dlib-reference), run on the same photos for comparison.")
    var dlib: String?

    func validate() throws {
        try FFHQAligner.checkOutputSize(size)
        _ = try alignmentVariants()
    }

    func alignmentVariants() throws -> [FFHQAlignmentVariant] {
        try variants.split(separator: ",").map {
            guard let variant = FFHQAlignmentVariant(rawValue: String($0)) else {
                throw ValidationError("unknown alignment variant '\($0)' (pti or ffhq)")
            }
            return variant
        }
    }

    func run() throws {
        let paths = photos.isEmpty ? AlignDefaults.fixturePhotos() : photos
        guard !paths.isEmpty else { throw ValidationError("no photos given and no fixture photos found") }
        let finder = FaceFinder(detector: try FrontalFaceDetector.builtIn(),
                                predictor: try ShapePredictor(contentsOf: URL(fileURLWithPath: predictor)),
                                upsample: upsample, detectionPixelBudget: 0)
        let decoded = try paths.map { path in
            let image = try ImageCodec.read(URL(fileURLWithPath: path), options: ImageReadOptions(appliesExifOrientation: false))
            return AlignBenchmark.Photo(name: (path as NSString).lastPathComponent, width: image.width,
                                        height: image.height, pixels: image.pixels)
        }
        print("Pivot, one thread, \(repeats) rounds, upsample \(upsample), detection at full resolution, alignment of all "
              + "faces; times in ms: wall median / max (thread CPU median)")
        print(try AlignBenchmark.table(photos: decoded, finder: finder, repeats: repeats,
                                       variants: alignmentVariants(), outputSize: size).render())
        if let dlib {
            print("\ndlib 19.24 C++ (\(dlib)), same photos; times in ms: wall median / max (thread CPU median)")
            fflush(nil)  // our table first: the child writes to the same stdout
            let process = Process()
            process.executableURL = URL(fileURLWithPath: dlib)
            process.arguments = ["bench", predictor, String(repeats)] + paths
            try process.run()
            process.waitUntilExit()
        }
    }
}
