import Foundation
import Testing

/// End-to-end: the real daemon, real inotify, temporary folders.
@Suite(needsFace) struct WatchDaemonTests {
    @Test func dropsAreProcessedPublishedAndArchived() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("written.jpg", Samples.face)
        d.dropByRename("renamed.png", Samples.face)
        #expect(d.waitFor { d.done.count == 2 }, "\(d.log)")
        #expect(d.done == ["renamed.png", "written.jpg"])
        #expect(d.outputs == ["renamed", "written"])
        #expect(d.inputDigest(of: "written") == DaemonHarness.digest(Samples.face))
        #expect(d.names(d.outbox + "/written") == ["face0", "report.json"])
        #expect(d.names(d.outbox + "/written/face0").contains("reconstruction.png"))
        #expect(d.names(d.inbox).isEmpty)
        #expect(d.names(d.outbox + "/.pivot-partial").isEmpty)
        #expect(d.stop() == 0)
    }

    @Test func startUpScanTakesWaitingFilesAndIgnoresTemporaryNames() throws {
        let d = try DaemonHarness()
        let ignored = [".hidden.jpg", "upload.jpg.part", "upload.tmp", "backup.jpg~"]
        for name in ["waiting.jpg"] + ignored { d.drop(name, Samples.face) }
        try d.start()
        #expect(d.waitFor { d.done == ["waiting.jpg"] }, "\(d.log)")
        d.drop("another.part", Samples.face)
        usleep(600_000)
        #expect(d.names(d.inbox) == (ignored + ["another.part"]).sorted())
        #expect(d.failed.isEmpty)
        #expect(d.stop() == 0)
    }

    @Test func sameNameDroppedTwiceKeepsBothOutputs() throws {
        let d = try DaemonHarness()
        try d.start()
        d.drop("twice.jpg", Samples.face)
        #expect(d.waitFor { d.done.count == 1 })
        d.drop("twice.jpg", Samples.otherFace)
        #expect(d.waitFor { d.done.count == 2 }, "\(d.log)")
        #expect(d.outputs == ["twice", "twice-2"])
        #expect(d.done == ["twice-2.jpg", "twice.jpg"])
        #expect(d.inputDigest(of: "twice-2") == DaemonHarness.digest(Samples.otherFace))
    }

    @Test func namesWithSpacesUnicodeAndNewlines() throws {
        let d = try DaemonHarness()
        try d.start()
        let names = ["with space.jpg", "ünïcødé 照片.jpg", "new\nline.jpg"]
        for name in names { d.drop(name, Samples.face) }
        #expect(d.waitFor { d.done.count == 3 }, "\(d.log)")
        #expect(d.done == names.sorted())
        #expect(Set(d.outputs) == Set(names.map { String($0.dropLast(4)) }))
        #expect(d.isRunning)
    }

    @Test func stopSignalExitsZeroAndTheJobRunsAgainOnRestart() throws {
        let d = try DaemonHarness()
        try d.start(["--debug-step-delay", "0.4"])
        d.drop("slow.jpg", Samples.face)
        #expect(d.waitFor { d.log.contains("\"slow.jpg\": attempt 1") })
        #expect(d.stop(SIGTERM) == 0, "\(d.log)")
        #expect(d.outputs.isEmpty || d.done == ["slow.jpg"])
        try d.start()
        #expect(d.waitFor { d.done == ["slow.jpg"] }, "\(d.log)")
        #expect(d.outputs == ["slow"])
    }

    @Test func killNineMidJobLosesNothingAndRunsTheJobExactlyOnceMore() throws {
        let d = try DaemonHarness()
        try d.start(["--debug-step-delay", "0.5"])
        d.drop("victim.jpg", Samples.face)
        d.drop("queued.jpg", Samples.face)
        #expect(d.waitFor { d.log.contains("attempt 1") })
        usleep(300_000)
        #expect(d.stop(SIGKILL) == SIGKILL)
        // Nothing half-written is visible: no published output, the input is safe in the state folder.
        #expect(d.outputs.isEmpty)
        #expect(d.done.isEmpty && d.failed.isEmpty)
        try d.start()
        #expect(d.waitFor { d.done.count == 2 }, "\(d.log)")
        #expect(d.log.contains("was interrupted; it runs again"))
        #expect(d.outputs == ["queued", "victim"])
        #expect(d.failed.isEmpty)
        // A third start finds nothing to do: finished jobs never run twice.
        #expect(d.stop() == 0)
        try d.start()
        usleep(400_000)
        #expect(d.outputs == ["queued", "victim"] && d.done.count == 2)
        #expect(d.log.components(separatedBy: "-> outbox/").count == 3)
    }

    @Test func anInputThatKeepsKillingTheDaemonIsFailedAfterMaxInterruptions() throws {
        let d = try DaemonHarness()
        let config = d.root + "/pivot.json"
        try #"{"limits": {"maxInterruptions": 2}}"#.write(toFile: config, atomically: false, encoding: .utf8)
        for attempt in 1...2 {
            try d.start(["--config", config, "--debug-step-delay", "0.5"])
            if attempt == 1 { d.drop("poison.jpg", Samples.noFace) }
            #expect(d.waitFor { d.log.contains("\"poison.jpg\": attempt \(attempt)") }, "\(d.log)")
            #expect(d.stop(SIGKILL) == SIGKILL)
        }
        try d.start(["--config", config])
        #expect(d.waitFor { d.failed == ["poison.jpg"] }, "\(d.log)")
        #expect((d.errorReport("poison.jpg")["message"] as? String)?.contains("died 2 times") == true)
        #expect(d.outputs.isEmpty)
    }
}
