import Glibc
import Pipeline
import SIMDKernels

/// `pivot bench align`: per photo, milliseconds for face detection, 68-point landmarks (all faces) and
/// alignment (all faces, per variant), on one thread.
///
/// Wall time is what a user waits; thread CPU time is also shown because on a shared machine it is the
/// steadier of the two (it does not count time spent waiting for a core).
public enum AlignBenchmark {
    public struct Photo {
        public var name: String
        public var width: Int
        public var height: Int
        public var pixels: [UInt8]

        public init(name: String, width: Int, height: Int, pixels: [UInt8]) {
            self.name = name; self.width = width; self.height = height; self.pixels = pixels
        }
    }

    /// One stage's samples, in milliseconds.
    struct Samples {
        var wall: [Double] = []
        var cpu: [Double] = []

        mutating func measure<T>(_ body: () throws -> T) rethrows -> T {
            let wallStart = clockMilliseconds(CLOCK_MONOTONIC), cpuStart = clockMilliseconds(CLOCK_THREAD_CPUTIME_ID)
            let result = try body()
            wall.append(clockMilliseconds(CLOCK_MONOTONIC) - wallStart)
            cpu.append(clockMilliseconds(CLOCK_THREAD_CPUTIME_ID) - cpuStart)
            return result
        }

        /// "median / max (cpu median)".
        var summary: String {
            guard !wall.isEmpty else { return "-" }
            let sortedWall = wall.sorted(), sortedCPU = cpu.sorted()
            return "\(format(sortedWall[sortedWall.count / 2])) / \(format(sortedWall.last!)) (\(format(sortedCPU[sortedCPU.count / 2])))"
        }
    }

    /// Runs `repeats` rounds per photo on one thread. Each variant in `variants` adds a column: the time to
    /// align all of the photo's faces to `outputSize` with it.
    public static func table(photos: [Photo], finder: FaceFinder, repeats: Int,
                             variants: [FFHQAlignmentVariant], outputSize: Int) throws -> BenchmarkTable {
        let threads = Parallel.threadCount
        Parallel.threadCount = 1
        defer { Parallel.threadCount = threads }
        var table = BenchmarkTable(header: ["photo", "size", "faces", "detect ms med/max (cpu)", "landmarks ms"]
                                   + variants.map { "align \($0.rawValue) \(outputSize) ms" })
        for photo in photos {
            let image = RGBImage(width: photo.width, height: photo.height, pixels: photo.pixels)
            var detect = Samples(), landmarks = Samples()
            var alignments = [Samples](repeating: Samples(), count: variants.count)
            var faceCount = 0
            for _ in 0..<max(repeats, 1) {
                let boxes = try detect.measure { try finder.detect(pixels: photo.pixels, width: photo.width, height: photo.height) }
                let faces = try landmarks.measure {
                    try finder.landmarks(for: boxes, pixels: photo.pixels, width: photo.width, height: photo.height)
                }
                for (column, variant) in variants.enumerated() {
                    try alignments[column].measure {
                        for face in faces { _ = try face.aligned(in: image, variant: variant, outputSize: outputSize) }
                    }
                }
                faceCount = faces.count
            }
            // Without a face there is nothing to landmark or align: "-", not a time.
            let perFace = faceCount == 0 ? [String](repeating: "-", count: 1 + variants.count)
                                         : [landmarks.summary] + alignments.map(\.summary)
            table.add([photo.name, "\(photo.width)x\(photo.height)", "\(faceCount)", detect.summary] + perFace)
        }
        return table
    }

    static func clockMilliseconds(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) * 1e-6
    }

    static func format(_ milliseconds: Double) -> String {
        milliseconds >= 100 ? String(Int(milliseconds.rounded())) : String(Double(Int(milliseconds * 10)) / 10)
    }
}
