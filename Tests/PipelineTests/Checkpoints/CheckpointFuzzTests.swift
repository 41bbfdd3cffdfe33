import Foundation
import Testing
import Pipeline
import PivotTestSupport

/// Deterministic mutation fuzzing of every reader: seeded byte flips, truncations, insertions, deletions and
/// extreme-value overwrites of each fixture. Every variant must either parse into tensors that can all be
/// converted, or fail with a `CheckpointError`; a crash or hang fails the suite.
@Suite("Checkpoint mutation fuzzing")
struct CheckpointFuzzTests {
    /// (fixture, variants). Large files get fewer variants; their mutations favour the pickle and directory
    /// regions at the ends of the file, where the structure is.
    static let plan: [(String, Int)] = [
        ("directions/age.pt", 400), ("directions/rotation.pt", 200), ("directions/ffhq_pca.pt", 300),
        ("lpips/vgg_lin.pth", 400), ("lpips/alex_lin.pth", 300), ("lpips/lpips_io.safetensors", 200),
        ("stylegan2/tiny32.pkl", 80), ("stylegan2/small64_G_ema.pt", 60), ("lpips/alex_trunk_random.pth", 40),
    ]

    static func mutate(_ original: [UInt8], _ random: inout TestRandom) -> [UInt8] {
        var bytes = original
        func position() -> Int {
            let window = min(bytes.count, 65536)
            switch random.next() % 4 {
            case 0: return Int(random.next() % UInt64(window))                              // start: headers, pickle
            case 1: return bytes.count - window + Int(random.next() % UInt64(window))       // end: zip directory
            default: return Int(random.next() % UInt64(bytes.count))
            }
        }
        switch random.next() % 6 {
        case 0: // flip 1–8 bytes
            for _ in 0...(random.next() % 8) { bytes[position()] ^= UInt8(1 + random.next() % 255) }
        case 1: // truncate
            bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
        case 2: // insert 1–16 random bytes
            let at = position()
            bytes.insert(contentsOf: (0...(random.next() % 16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
        case 3: // delete 1–16 bytes
            let at = position()
            bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.next() % 16)))
        case 4: // overwrite a 4- or 8-byte field with an extreme value (lengths, counts, offsets)
            let at = min(position(), bytes.count - 8)
            let extremes: [UInt64] = [0, .max, UInt64(Int64.max), 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 40]
            let value = extremes[Int(random.next() % UInt64(extremes.count))]
            for k in 0..<(random.next() % 2 == 0 ? 4 : 8) { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
        default: // set one byte to a pickle opcode that builds or calls things
            let opcodes: [UInt8] = [0x52, 0x81, 0x62, 0x51, 0x93, 0x63, 0x28, 0x2E, 0x94, 0x68, 0x71, 0x75, 0x65, 0x8C]
            bytes[position()] = opcodes[Int(random.next() % UInt64(opcodes.count))]
        }
        return bytes
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: plan.map(\.0))
    func mutatedFixturesFailCleanly(relative: String) throws {
        let variants = try #require(Self.plan.first { $0.0 == relative }).1
        let original = Array(try Data(contentsOf: URL(fileURLWithPath: fixture(relative))))
        var random = TestRandom(seed: UInt64(truncatingIfNeeded: relative.hashValueStable))
        var parsed = 0, rejected = 0
        for variant in 0..<variants {
            let bytes = Self.mutate(original, &random)
            do {
                let file = try CheckpointFile.parse(ByteBuffer.copying(bytes), file: relative)
                for (_, tensor) in file.tensors {
                    _ = tensor.dtype.isFloatingPoint ? try tensor.floats().count : try tensor.int64s().count
                }
                if GeneratorWeights.isGenerator(file) { _ = try? GeneratorWeights.load(file) }
                parsed += 1
            } catch is CheckpointError {
                rejected += 1
            } catch {
                Issue.record("\(relative) variant \(variant): error of type \(type(of: error)): \(error)")
            }
        }
        print("fuzz \(relative): \(variants) variants, \(rejected) rejected with a CheckpointError, \(parsed) parsed, 0 crashes")
        #expect(parsed + rejected == variants)
    }
}

extension String {
    /// FNV-1a: a seed that is the same in every run (Swift's `hashValue` is randomised per process).
    var hashValueStable: UInt64 {
        utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
