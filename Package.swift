// swift-tools-version:6.0
//
// Pivot: StyleGAN2 face editing (Pivotal Tuning Inversion) on the CPU.
//
// Module graph, one way only:  SIMDKernels <- Pipeline <- Watcher <- pivot
// PivotBenchmarks sits beside the library (pivot bench ...); PivotTestSupport beside the tests.

import PackageDescription
import Foundation

// MARK: - Choosing the vector target
//
// Swift only emits AVX-512 (zmm) code for SIMD16<Float> when it is told the CPU (specs/kernels.md §8):
// without `-target-cpu`, `addingProduct` becomes sixteen `fmaf` calls. We therefore pick the target at
// build time from the building machine's CPU, and let the user override it:
//
//   PIVOT_TARGET_CPU=skylake-avx512 swift build -c release   # force AVX-512 (zmm micro-kernels)
//   PIVOT_TARGET_CPU=haswell        swift build -c release   # portable AVX2 + FMA binary
//   PIVOT_TARGET_CPU=x86-64         swift build -c release   # no FMA at all (slow, runs anywhere)
//
// A binary built for AVX-512 does not run on an AVX2-only CPU; build with `haswell` for such a fleet.
// `PIVOT_AVX512` tells the kernel table (Sources/SIMDKernels/KernelTable.swift) which tiles to use.
func hostVectorTarget() -> (cpu: String?, avx512: Bool) {
    let env = ProcessInfo.processInfo.environment
    if let forced = env["PIVOT_TARGET_CPU"], !forced.isEmpty {
        let avx512 = ["skylake-avx512", "cascadelake", "cooperlake", "icelake-server", "icelake-client",
                      "tigerlake", "sapphirerapids", "emeraldrapids", "graniterapids", "znver4", "znver5"]
            .contains(forced)
        return (forced == "native" ? nil : forced, avx512)
    }
    #if arch(x86_64)
    let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("flags") }?
        .split(separator: " ").map(String.init) ?? []
    if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") {
        return ("skylake-avx512", true)
    }
    if flags.contains("avx2") && flags.contains("fma") { return ("haswell", false) }
    return ("x86-64", false)
    #else
    return (nil, false)
    #endif
}

let vectorTarget = hostVectorTarget()
var kernelFlags: [String] = ["-Xllvm", "-unroll-threshold=5000", "-enforce-exclusivity=unchecked"]
if let cpu = vectorTarget.cpu { kernelFlags += ["-target-cpu", cpu] }
if vectorTarget.avx512 { kernelFlags += ["-D", "PIVOT_AVX512"] }
let kernelSettings: [SwiftSetting] = [.unsafeFlags(kernelFlags)]
let vectorSettings: [SwiftSetting] = vectorTarget.cpu.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "Pivot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pivot", targets: ["pivot"]),
        .library(name: "SIMDKernels", targets: ["SIMDKernels"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Watcher", targets: ["Watcher"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Numeric core: Swift standard library only.
        .target(name: "SIMDKernels", swiftSettings: kernelSettings),

        // C libraries from Debian (see scripts/install-deps).
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp",
                       providers: [.apt(["libwebp-dev"])]),
        // setjmp wrappers around the three codecs (libpng/libjpeg report errors by longjmp, which Swift
        // cannot catch); libwebpdemux finds the EXIF chunk of extended WebP files.
        .target(name: "CImageCodecs", dependencies: ["CPNG", "CJPEG", "CWebP"],
                linkerSettings: [.linkedLibrary("webpdemux")]),
        .systemLibrary(name: "CInotifyTools",
                       providers: [.apt(["libinotifytools0-dev"])]),
        // glibc's malloc.h (mallopt, malloc_trim) for Pipeline's HeapPolicy.
        .systemLibrary(name: "CMalloc"),

        // Models and stages: align, invert, pivotal-tune, edit, encode; checkpoint readers; codecs.
        .target(name: "Pipeline",
                dependencies: ["SIMDKernels", "CImageCodecs", "CMalloc"],
                resources: [.copy("Detect/Resources/dlib_frontal_face_detector.dat"),
                            .copy("Detect/Resources/dlib_frontal_face_detector.NOTICE.txt")],
                swiftSettings: vectorSettings),

        // The inbox -> outbox daemon, as a library the CLI drives.
        .target(name: "Watcher", dependencies: ["Pipeline", "CInotifyTools"]),

        // `pivot bench ...`: benchmarks live apart from the library they measure.
        .target(name: "PivotBenchmarks", dependencies: ["Pipeline"], swiftSettings: kernelSettings),

        .executableTarget(name: "pivot",
                          dependencies: ["Watcher", "Pipeline", "PivotBenchmarks",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Shared by all test targets: scalar Double references, tolerances, fixture lookup.
        .target(name: "PivotTestSupport", dependencies: ["SIMDKernels"], path: "Tests/PivotTestSupport"),
        .testTarget(name: "SIMDKernelsTests", dependencies: ["SIMDKernels", "PivotTestSupport"],
                    swiftSettings: vectorSettings),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "PivotTestSupport", "CMalloc"]),
        .testTarget(name: "WatcherTests", dependencies: ["Watcher", "Pipeline", "PivotTestSupport"]),
    ]
)
