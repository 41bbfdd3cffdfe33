import Foundation
import Testing

/// Inputs the daemon must survive: each ends in failed/ with a reason, or is retried when transient.
@Suite struct BadInputTests {
    /// Drops `name`, waits for it in failed/, and returns its error report.
    private func expectFailure(_ d: DaemonHarness, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        #expect(d.waitFor { d.failed.contains(name) }, "\(d.log)", sourceLocation: sourceLocation)
        return d.errorReport(name)
    }

    @Test func emptyFileFailsPermanently() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("empty.jpg", [])
        let report = expectFailure(d, "empty.jpg")
        #expect(report["class"] as? String == "permanent")
        #expect((report["message"] as? String)?.contains("empty") == true)
        #expect(report["stage"] as? String == "claim")
        #expect(report["time"] is String)
        d.drop("next.png", Samples.noFace)
        #expect(d.waitFor { d.failed.contains("next.png") } && d.isRunning)
    }

    @Test func textFileNamedJpgFails() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("notes.jpg", Samples.text)
        let report = expectFailure(d, "notes.jpg")
        #expect(report["class"] as? String == "permanent")
        #expect((report["message"] as? String)?.contains("not a PNG, JPEG or WebP") == true)
        #expect(FileManager.default.contents(atPath: d.state + "/failed/notes.jpg") == Data(Samples.text))
        #expect(d.outputs.isEmpty && d.isRunning)
    }

    @Test func symbolicLinkOutOfTheInboxIsNotFollowed() throws {
        let d = try DaemonHarness()
        try d.start()
        let secret = d.root + "/secret.jpg"
        DaemonHarness.write(secret, Samples.face)
        symlink(secret, d.inbox + "/link.jpg")
        let report = expectFailure(d, "link.jpg")
        #expect((report["message"] as? String)?.contains("outside the inbox") == true)
        #expect(FileManager.default.fileExists(atPath: secret))
        #expect(d.outputs.isEmpty)
    }

    @Test func folderDroppedIntoANonRecursiveInboxFails() throws {
        let d = try DaemonHarness()
        try d.start()
        try FileManager.default.createDirectory(atPath: d.inbox + "/album", withIntermediateDirectories: false)
        d.drop("album/inside.jpg", Samples.face)
        let report = expectFailure(d, "album")
        #expect((report["message"] as? String)?.contains("--recursive") == true)
        #expect(d.names(d.state + "/failed/album") == ["inside.jpg"])
    }

    @Test(needsFace) func recursiveModeProcessesFilesInFolders() throws {
        let d = try DaemonHarness()
        try d.start(["--recursive"])
        try FileManager.default.createDirectory(atPath: d.inbox + "/album/deeper", withIntermediateDirectories: true)
        d.drop("album/deeper/inside.jpg", Samples.face)
        #expect(d.waitFor { d.done == ["inside.jpg"] }, "\(d.log)")
        #expect(d.outputs == ["inside"])
    }

    @Test(needsFace) func missingModelIsRetriedUntilItAppears() throws {
        let d = try DaemonHarness()
        let model = d.root + "/model.pkl"
        try d.start(["--model", model])
        d.drop("face.jpg", Samples.face)
        #expect(d.waitFor { d.log.contains("retrying in") }, "\(d.log)")
        #expect(d.log.contains("cannot load the models"))
        #expect(d.failed.isEmpty)
        DaemonHarness.write(model, Samples.fixture("stylegan2/tiny32.pkl"))
        #expect(d.waitFor { d.done == ["face.jpg"] }, "\(d.log)")
    }

    @Test func transientFailuresGiveUpAfterMaxAttempts() throws {
        let d = try DaemonHarness()
        try d.start(["--model", d.root + "/never.pkl", "--max-attempts", "2"])
        d.drop("face.png", Samples.noFace)
        let report = expectFailure(d, "face.png")
        #expect(report["class"] as? String == "transient")
        #expect((report["message"] as? String)?.contains("gave up after 2 attempts") == true)
    }

    @Test(needsFace, .enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func fullOutboxDiskIsRetriedAndSucceedsOnceThereIsSpace() throws {
        let d = try DaemonHarness()
        try #require(d.mountTmpfs(d.outbox, bytes: 1 << 20))
        let filler = d.outbox + "/.filler"
        _ = DaemonHarness.run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=4096", "count=1000"])
        try d.start()
        d.drop("big.jpg", Samples.face)
        #expect(d.waitFor { d.log.contains("retrying in") }, "\(d.log)")
        #expect(d.log.contains("No space left on device"))
        #expect(d.outputs.isEmpty && d.failed.isEmpty)
        unlink(filler)
        #expect(d.waitFor { d.done == ["big.jpg"] }, "\(d.log)")
        #expect(d.inputDigest(of: "big") == DaemonHarness.digest(Samples.face))
    }

    @Test func truncatedJPEGFails() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("cut.jpg", Samples.truncatedJPEG)
        let report = expectFailure(d, "cut.jpg")
        #expect(report["stage"] as? String == "decode" && report["class"] as? String == "permanent", "\(report)")
        #expect(d.outputs.isEmpty && d.isRunning)
    }

    @Test func pngBombOverThePixelLimitIsRefusedFromItsHeader() throws {
        let d = try DaemonHarness()
        try d.start(["--max-pixels", "40000000"])
        d.drop("bomb.png", Samples.pngBomb)
        let report = expectFailure(d, "bomb.png")
        #expect((report["message"] as? String)?.contains("exceeds the limit of 40000000") == true, "\(report)")
        #expect(d.isRunning)
    }

    @Test func imageWithoutAFaceFails() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("wall.png", Samples.noFace)
        let report = expectFailure(d, "wall.png")
        #expect(report["stage"] as? String == "detect")
        #expect((report["message"] as? String)?.contains("no face found") == true)
    }
}
