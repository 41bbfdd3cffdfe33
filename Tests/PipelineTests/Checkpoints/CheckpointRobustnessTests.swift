import Foundation
import Testing
import Pipeline
import PivotTestSupport

/// Hand-made bad inputs: each must give a `CheckpointError` of the right kind naming the file, never a crash.
@Suite("Checkpoint readers refuse bad input")
struct CheckpointRobustnessTests {
    func parse(_ bytes: [UInt8], name: String = "crafted.bin") throws -> CheckpointFile {
        try CheckpointFile.parse(ByteBuffer.copying(bytes), file: name)
    }

    func error(_ bytes: [UInt8], name: String = "crafted.bin") -> CheckpointError? {
        do {
            _ = try parse(bytes, name: name)
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    func fixtureBytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixture(relative))))
    }

    @Test func globalOutsideTheAllowListIsRefusedWithNameAndOffset() throws {
        // PROTO 2; GLOBAL 'os system'; MARK; BINUNICODE 'ls'; TUPLE; REDUCE; STOP
        let bytes: [UInt8] = [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x28, 0x58, 2, 0, 0, 0] + Array("ls".utf8)
            + [0x74, 0x52, 0x2E]
        let failure = try #require(error(bytes, name: "evil.pkl"))
        #expect(failure.kind == .refused && failure.offset == 2 && failure.file == "evil.pkl")
        #expect(failure.description.contains("os.system") && failure.description.contains("evil.pkl"))
    }

    @Test func unsupportedOpcodesAreNamed() throws {
        // INST is protocol 0's "call any class": refused.
        let failure = try #require(error([0x80, 0x02] + Array("ibuiltins\nobject\n".utf8) + [0x2E]))
        #expect(failure.kind == .refused && failure.offset == 2 && failure.description.contains("INST"))
    }

    @Test func hugeLengthsAndMemoIndicesAreRejectedWithoutAllocating() throws {
        let longString = try #require(error([0x80, 0x04, 0x8D] + [UInt8](repeating: 0xFF, count: 8) + [0x2E]))
        #expect(longString.kind == .truncated && longString.offset == 3) // the length field
        let frame = try #require(error([0x80, 0x04, 0x95] + [UInt8](repeating: 0x7F, count: 8)))
        #expect(frame.kind == .truncated)
        let memo = try #require(error([0x80, 0x02, 0x6A, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E]))
        #expect(memo.kind == .malformed && memo.description.contains("memo"))
        let underflow = try #require(error([0x80, 0x02, 0x28, 0x2E]))
        #expect(underflow.kind == .malformed)
    }

    @Test func unknownMagicIsNamed() throws {
        let failure = try #require(error(Array("GIF89a not a checkpoint".utf8), name: "photo.gif"))
        #expect(failure.kind == .badMagic && failure.file == "photo.gif")
        #expect(error([]) != nil)
    }

    @Test func absurdSafetensorsShapesAreRefused() throws {
        let folder = try temporaryFolder("absurd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for shape in [[1 << 40, 1 << 40], [-1, 4], [3]] {
            let path = try writeRaw(folder, dtype: "F32", shape: shape, bytes: [0, 0, 0, 0])
            #expect(throws: CheckpointError.self) { try Safetensors.read(path: path) }
        }
        // A header length beyond the file.
        let bytes = withUnsafeBytes(of: UInt64(1 << 50).littleEndian) { Array($0) } + Array("{}".utf8)
        #expect(throws: CheckpointError.self) { try Safetensors.read(ByteBuffer.copying(bytes), file: "x") }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func truncatedFilesGiveErrors() throws {
        for relative in ["directions/age.pt", "lpips/vgg_lin.pth", "stylegan2/tiny32.pkl", "lpips/lpips_io.safetensors"] {
            let bytes = try fixtureBytes(relative)
            for length in [0, 1, 7, 16, bytes.count / 3, bytes.count / 2, bytes.count - 1] {
                let failure = error(Array(bytes.prefix(length)), name: relative)
                #expect(failure != nil, "\(relative) cut at \(length) was accepted")
                #expect(failure?.file == relative)
            }
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func zipWithMissingStorageEntry() throws {
        var bytes = try fixtureBytes("directions/age.pt")
        // Rename the storage in the central directory only (its last occurrence): 'archive/data/<key>' → '.../X<key>'.
        let name = Array("archive/data/".utf8)
        let last = try #require((0...(bytes.count - name.count)).last { Array(bytes[$0..<($0 + name.count)]) == name })
        bytes[last + name.count] = UInt8(ascii: "X")
        let failure = try #require(error(bytes, name: "age.pt"))
        #expect(failure.kind == .missingEntry && failure.description.contains("archive/data/"))
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func wrongLegacyMagic() throws {
        var bytes = try fixtureBytes("lpips/alex_lin.pth")
        bytes[5] ^= 0xFF
        // Without the magic number the file reads as a plain pickle of one int: no tensors, so an error.
        let failure = error(bytes, name: "alex_lin.pth")
        #expect(failure?.file == "alex_lin.pth")
    }
}
