/// The one table that chooses micro-kernel tiles and cache blocking per build target.
///
/// `Package.swift` defines `PIVOT_AVX512` when it compiles for an AVX-512 CPU (`-target-cpu
/// skylake-avx512`), otherwise it compiles for AVX2 + FMA (`haswell`). Register budgets:
/// - AVX-512, 32 zmm: 8×32 = 16 accumulators + 2 B vectors + 1 broadcast, 8×16 for N ≤ 16. The spec's
///   6×64 (24 accumulators + 4 B vectors, specs/kernels.md §3.2) measured 50% of peak on Zen 4 (AMD EPYC
///   family 25, whose 512-bit FMAs run on two 256-bit halves) against 87–93% for 8×32, on both GEMM cases
///   of `pivot bench kernels`. (The spec's 14×32 / 28×16 would need more A row pointers than x86-64 has
///   general registers, since A rows arrive as pointers; 8 rows fit.)
/// - AVX2, 16 ymm: 6×16 = 12 accumulators + 2 B vectors + 1 broadcast (BLIS's Haswell shape), written
///   with SIMD16<Float> so each row's two ymm FMAs stay adjacent: with SIMD8 × 2 LLVM orders the FMAs
///   by B vector, keeps six broadcasts live and spills accumulators. 8×8 (SIMD8) for N ≤ 8.
/// Verified in the disassembly of the named entry points: the k-loop holds MR·NR/lanes `vfmadd231ps`
/// and no stack references.
#if PIVOT_AVX512
@inline(never) func gemm8x32(_ p: KernelCall) { microKernel(Accumulators<SIMD16<Float>, 8, 2>.self, p) }
@inline(never) func gemm8x16(_ p: KernelCall) { microKernel(Accumulators<SIMD16<Float>, 8, 1>.self, p) }

extension Tile {
    static let wide = Tile(mr: 8, nr: 32, kernel: gemm8x32)
    static let narrow = Tile(mr: 8, nr: 16, kernel: gemm8x16)

    /// The tile for a GEMM with `n` output columns.
    static func forColumns(_ n: Int) -> Tile { n <= 16 ? .narrow : .wide }
}

enum Blocking {
    /// K steps per micro-kernel call: the B micro-panel (kc·NR floats = 32 KiB) stays in L1.
    static let kc = 256
    /// Columns of packed B kept hot in L2 while the row tiles stream past (kc·nc·4 B = 512 KiB).
    static let nc = 512
    /// Rows of A and C per chunk: the chunk's C (mc·nc·4 B = 384 KiB) stays in L2 across K blocks.
    static let mc = 192
}
#else
@inline(never) func gemm6x16(_ p: KernelCall) { microKernel(Accumulators<SIMD16<Float>, 6, 1>.self, p) }
@inline(never) func gemm8x8(_ p: KernelCall) { microKernel(Accumulators<SIMD8<Float>, 8, 1>.self, p) }

extension Tile {
    static let wide = Tile(mr: 6, nr: 16, kernel: gemm6x16)
    static let narrow = Tile(mr: 8, nr: 8, kernel: gemm8x8)

    /// The tile for a GEMM with `n` output columns.
    static func forColumns(_ n: Int) -> Tile { n <= 8 ? .narrow : .wide }
}

enum Blocking {
    /// K steps per micro-kernel call: a 6×16 B micro-panel of 384 rows is 24 KiB, kept in Zen 3's 32 KiB
    /// L1d while the chunk's row tiles pass over it. Longer calls than 256 steps measured 4–8% faster on
    /// 4096×512×4608 (fewer C reloads per K), equal on 1024³.
    static let kc = 384
    /// Columns of packed B per group (kc·nc·4 B = 192 KiB of Zen 3's 512 KiB L2).
    static let nc = 128
    /// Rows of A and C per chunk: A (mc·kc·4 B = 72 KiB) and C (mc·nc·4 B = 24 KiB) stay in L2 across the
    /// group's panels and K blocks.
    static let mc = 48
}
#endif

/// A micro-kernel and the tile it computes.
struct Tile: Sendable {
    let mr: Int
    let nr: Int
    let kernel: @Sendable (KernelCall) -> Void
}

/// The micro-kernel's arguments (see `microKernel`). A struct of pointers and Ints, never SIMD values.
struct KernelCall {
    var segments: Int
    var kc: Int
    var a: UnsafePointer<UnsafePointer<Float>>
    var ks: Int
    var b: UnsafePointer<Float>
    var c: UnsafePointer<UnsafeMutablePointer<Float>>
    var cOffset: Int
    var m: Int
    var n: Int
    var epilogue: Epilogue
}

/// How `Conv2D.winograd` schedules its three steps (input transform, 36 point GEMMs, output transform).
///
/// By thread blocks: each thread runs all three steps on its own block of tiles, so the block's V and M
/// (36 · tiles · (K + N) floats) go from the input transform through the GEMMs to the output transform inside
/// the core's L2 (512 KiB on Zen 3). Every block reads all 36 U matrices (36 · K · N floats) again, from L3.
/// By groups: each step over a group of hundreds of tiles, split among the threads; a point's U is read once
/// per group, but V and M (several MB) go through L3 or DRAM between the steps.
/// Measured with `pivot bench kernels --only Winograd` (paired old/new runs on a shared machine, 1 thread):
/// by blocks, VGG16's conv1_2 (64 channels, 12-tile blocks) 43–67 -> 31–40 ms, StyleGAN2's 1024² layer (32
/// channels, 24 tiles) 269–420 -> 160–249 ms, VGG16's conv3_1 (128 -> 256, U 4.7 MB, 6 tiles) 17–22 -> 11–12 ms;
/// but StyleGAN2's 256-channel layers (U 9.4 MB) were no faster or slower (32² map: 8–12 -> 7–18 ms) with blocks
/// of 6, 12 or 24 tiles: each block's fresh read of U costs what the transforms saved.
enum WinogradSchedule {
    /// A block's V and M take at most this many bytes (half of L2: U's panels stream through the rest).
    static let blockBytes = 256 << 10
    /// Layers whose U is larger stay on the grouped schedule.
    static let largestBlockedU = 6 << 20

    /// Tiles per thread block (a multiple of the micro-kernel's `mr`), or nil for the grouped schedule.
    static func tilesPerBlock(k: Int, columns n: Int, mr: Int) -> Int? {
        guard WinogradF43.points * k * n * 4 <= largestBlockedU else { return nil }
        return max(mr, blockBytes / (WinogradF43.points * (k + n) * 4) / mr * mr)
    }
}
