import Foundation
import Testing
import Pipeline
import PivotTestSupport

@Suite("Model store")
struct ModelStoreTests {
    @Test func sha256KnownAnswers() {
        func digest(_ text: String) -> String { Array(text.utf8).withUnsafeBytes { SHA256.hex($0) } }
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 56 bytes: the padding spills into a second block.
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(million.withUnsafeBytes { SHA256.hex($0) } == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func sha256OfFixturesMatchesTheCatalogue() throws {
        for (relative, digest) in [
            ("directions/age.pt", "50074516b1629707d89b5e43d6b8abd1792212fa3b961a87a11323d6a5222ae0"),
            ("lpips/vgg_lin.pth", "a78928a0af1e5f0fcb1f3b9e8f8c3a2a5a3de244d830ad5c1feddc79b8432868"),
        ] {
            let file = try CheckpointFile.open(fixture(relative))
            #expect(SHA256.hex(file.buffer.bytes) == digest, "\(relative)")
        }
    }

    @Test func storeLocationFollowsTheEnvironment() {
        #expect(ModelStore(environment: ["PIVOT_MODEL_STORE": "/a", "XDG_DATA_HOME": "/b", "HOME": "/c"]).root == "/a")
        #expect(ModelStore(environment: ["XDG_DATA_HOME": "/b", "HOME": "/c"]).root == "/b/pivot/models")
        #expect(ModelStore(environment: ["HOME": "/c"]).root == "/c/.local/share/pivot/models")
        #expect(ModelStore.defaultName(for: "/x/network-snapshot 000.pkl") == "network-snapshot_000")
        #expect(!ModelStore.isValidName("../evil") && !ModelStore.isValidName(".hidden") && ModelStore.isValidName("ffhq-1024_v2"))
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func importThenLoadByName() throws {
        let folder = try temporaryFolder("store")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ModelStore(root: folder + "/models")
        let source = fixture("stylegan2/tiny32.pkl")
        let manifest = try store.importGenerator(from: source, name: "tiny")
        let sourceFile = try CheckpointFile.open(source)  // keeps the mapping alive while it is hashed
        #expect(manifest.sourceSHA256 == SHA256.hex(sourceFile.buffer.bytes))
        #expect(manifest.numWs == 8 && manifest.tensorCount == 75 && manifest.channelsPerResolution["16"] == 64)
        #expect(manifest.architecture.convClamp == 1)
        #expect(try store.list().map(\.name) == ["tiny"])

        let original = try GeneratorWeights.load(CheckpointFile.open(source))
        let stored = try GeneratorWeights.load(model: "tiny", store: store)
        #expect(stored.config == original.config && stored.source == "Pivot model store")
        #expect(stored.tensors.names == original.tensors.names)
        for (name, tensor) in original.tensors {
            #expect(try stored.tensors.floats(name).map(\.bitPattern) == tensor.floats().map(\.bitPattern), "\(name)")
        }
        // A path still works as --model, and an unknown name lists what exists.
        #expect(try store.resolve(source) == source)
        #expect { try store.resolve("nope") } throws: { "\($0)".contains("tiny") }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func failedImportWritesNothing() throws {
        let folder = try temporaryFolder("store-fail")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ModelStore(root: folder + "/models")
        #expect(throws: CheckpointError.self) { try store.importGenerator(from: fixture("lpips/vgg_lin.pth")) }
        #expect(throws: CheckpointError.self) { try store.importGenerator(from: fixture("stylegan2/tiny32.pkl"), name: "../x") }
        #expect(!FileManager.default.fileExists(atPath: store.root))
    }
}
