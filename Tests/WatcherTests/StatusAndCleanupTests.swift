import Foundation
import Testing

@Suite struct StatusAndCleanupTests {
    private func statusJSON(_ d: DaemonHarness) -> [String: Any] {
        let result = d.pivot(["status", "--json", "--inbox", d.inbox, "--outbox", d.outbox, "--state", d.state])
        #expect(result.status == 0, "\(result.err)")
        return ((try? JSONSerialization.jsonObject(with: Data(result.out.utf8))) as? [String: Any]) ?? [:]
    }

    @Test func statusShowsRunningQueuedAndFailedJobs() throws {
        let d = try DaemonHarness()
        // Each progress report sleeps 1 s, so first.png runs for seconds: long enough for the text status below
        // to find it running even on a loaded machine.
        try d.start(["--debug-step-delay", "1"])
        d.drop("bad.jpg", Samples.text)
        #expect(d.waitFor { d.failed == ["bad.jpg"] })
        d.drop("first.png", Samples.noFace)
        d.drop("second.png", Samples.noFace)
        // The checks read the one snapshot that showed the job with its progress (a second read could
        // already see a later stage, or the next job).
        var status: [String: Any] = [:]
        #expect(d.waitFor {
            status = statusJSON(d)
            let running = status["running"] as? [[String: Any]] ?? []
            return running.count == 1 && running[0]["progress"] is [String: Any]
        })
        #expect(status["daemonRunning"] as? Bool == true)
        let running = (status["running"] as? [[String: Any]])?.first
        #expect(running?["file"] as? String == "first.png")
        let progress = running?["progress"] as? [String: Any]
        let (step, steps) = (progress?["step"] as? Int ?? -1, progress?["steps"] as? Int ?? 0)
        #expect(progress?["stage"] is String && steps >= 1 && (0...steps).contains(step), "\(String(describing: progress))")
        #expect((status["queued"] as? [[String: Any]])?.map { $0["file"] as? String } == ["second.png"])
        let failure = (status["recentFailures"] as? [[String: Any]])?.first
        #expect(failure?["file"] as? String == "bad.jpg")
        #expect((failure?["error"] as? [String: Any])?["kind"] as? String == "permanent")
        let text = d.pivot(["status", "--state", d.state, "--inbox", d.inbox]).out
        #expect(text.contains("daemon: running") && text.contains("\"first.png\" attempt 1: "))
        #expect(d.stop() == 0)
        #expect(statusJSON(d)["daemonRunning"] as? Bool == false)
    }

    /// Builds outbox/done/failed items, `age` seconds apart from a second set made afterwards.
    private func makeItems(_ d: DaemonHarness, _ prefix: String, bytes: Int = 10) throws {
        let fm = FileManager.default
        for folder in [d.outbox + "/" + prefix, d.state + "/done", d.state + "/failed", d.state + "/jobs/00000009/input"] {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let data = [UInt8](repeating: 1, count: bytes)
        DaemonHarness.write(d.outbox + "/" + prefix + "/" + prefix + ".jpg", data)
        DaemonHarness.write(d.state + "/done/" + prefix + ".jpg", data)
        DaemonHarness.write(d.state + "/failed/" + prefix + "-bad.jpg", data)
        DaemonHarness.write(d.state + "/failed/" + prefix + "-bad.jpg.error.json", [])
        DaemonHarness.write(d.state + "/jobs/00000009/input/" + prefix + ".jpg", data)
        DaemonHarness.write(d.inbox + "/" + prefix + ".jpg.part", data)
    }

    private func cleanup(_ d: DaemonHarness, _ extra: [String]) -> String {
        let result = d.pivot(["cleanup", "--inbox", d.inbox, "--outbox", d.outbox, "--state", d.state] + extra)
        #expect(result.status == 0, "\(result.err)")
        return result.err
    }

    @Test func cleanupRemovesOnlyOldOutputsAndArchivesAndLogsThem() throws {
        let d = try DaemonHarness()
        try d.start()
        // "old" is at least 4 s old and "new" younger than 2 s at both cleanups below, which leaves each side
        // 2 s for process start-ups on a loaded machine.
        try makeItems(d, "old")
        usleep(4_000_000)
        try makeItems(d, "new")
        let dry = cleanup(d, ["--older-than", "2s", "--dry-run"])
        #expect(dry.contains("would remove 3 item(s)"), "\(dry)")
        #expect(d.outputs == ["new", "old"])
        let log = cleanup(d, ["--older-than", "2s"])
        #expect(log.contains("removed 3 item(s)"), "\(log)")
        #expect(log.contains("old-bad.jpg.error.json"))
        #expect(d.outputs == ["new"])
        #expect(d.done == ["new.jpg"])
        #expect(d.names(d.state + "/failed") == ["new-bad.jpg", "new-bad.jpg.error.json"])
        // Never the inbox, never a job in progress.
        #expect(d.names(d.inbox) == ["new.jpg.part", "old.jpg.part"])
        #expect(d.names(d.state + "/jobs/00000009/input") == ["new.jpg", "old.jpg"])
        #expect(d.isRunning)
    }

    @Test func cleanupSizeCapRemovesOldestFirst() throws {
        let d = try DaemonHarness()
        try makeItems(d, "old", bytes: 1000)
        usleep(1_100_000)
        try makeItems(d, "new", bytes: 1000)
        _ = cleanup(d, ["--max-total-size", "3500"])
        #expect(d.outputs == ["new"])
        #expect(d.done == ["new.jpg"])
        #expect(d.names(d.state + "/failed") == ["new-bad.jpg", "new-bad.jpg.error.json"])
    }
}
