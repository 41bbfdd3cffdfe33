import Foundation
import Pipeline

/// Default paths shared by `pivot align` and `pivot bench align`.
enum AlignDefaults {
    /// Debian's libdlib-data (installed by scripts/install-deps).
    static let predictorPath = FaceFinder.debianShapePredictorPath

    /// The fixture photos: `$PIVOT_FIXTURES/faces`, else `../shared/fixtures/faces` from the working directory.
    static func fixturePhotos() -> [String] {
        let root = ProcessInfo.processInfo.environment["PIVOT_FIXTURES"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "../shared/fixtures"
        let folder = root + "/faces"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted().map { folder + "/" + $0 }
    }
}
