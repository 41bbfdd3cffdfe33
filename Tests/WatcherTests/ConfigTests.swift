import Foundation
import Testing
import PivotTestSupport
import Watcher

@Suite struct ConfigTests {
    /// Runs `body` on the path of a config file holding `json`, then deletes the file.
    private func withConfigFile(_ json: String, _ body: (String) throws -> Void) throws {
        let folder = try temporaryFolder("config")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/pivot.json"
        try json.write(toFile: path, atomically: false, encoding: .utf8)
        try body(path)
    }

    @Test func defaultsAreTheCurrentFolders() throws {
        let config = try ConfigOverrides().resolve(configFile: nil)
        #expect(config.inbox == "inbox" && config.outbox == "outbox" && config.state == "state")
        #expect(config.pti.model == nil && config.jobs == 1)
    }

    @Test func fileValuesAreUsedAndFlagsWin() throws {
        var flags = ConfigOverrides()
        flags.jobs = 2
        flags.pti.invertSteps = 4
        var resolved: WatchConfig?
        try withConfigFile(#"{"inbox": "/in", "jobs": 3, "limits": {"maxPixels": 1000}, "formats": ["png"], "pti": {"tuneSteps": 5, "invertSteps": 9}}"#) {
            resolved = try flags.resolve(configFile: $0)
        }
        let config = try #require(resolved)
        #expect(config.inbox == "/in" && config.jobs == 2 && config.limits.maxPixels == 1000 && config.pti.format == "png")
        #expect(config.pti.tuneSteps == 5 && config.pti.invertSteps == 4)
        #expect(config.limits.maxAttempts == WatchConfig.Limits().maxAttempts)
    }

    @Test(arguments: [
        (#"{"inbx": "/in"}"#, "unknown key \"inbx\""),
        (#"{"limits": {"maxPixel": 5}}"#, "unknown key \"limits.maxPixel\""),
        (#"{"jobs": 0}"#, "jobs must be at least 1"),
        (#"{"formats": ["gif"]}"#, "output format 'gif'"),
        (#"{"pti": {"tuneStep": 5}}"#, "unknown key \"pti.tuneStep\""),
        (#"{"edits": ["age=x"]}"#, "'x' is not a finite number"),
        (#"{"inbox": "#, "not valid JSON"),
    ])
    func badConfigFilesAreRefusedWithAReason(json: String, expected: String) throws {
        try withConfigFile(json) { path in
            let error = #expect(throws: (any Error).self) { try ConfigOverrides().resolve(configFile: path) }
            #expect(error.map { "\($0)".contains(expected) } == true, "\(String(describing: error))")
        }
    }

    @Test(arguments: [("7d", 604800.0), ("12h", 43200), ("30m", 1800), ("90", 90), ("1.5s", 1.5)])
    func ages(text: String, seconds: Double) throws {
        #expect(try Quantity.seconds(text) == seconds)
    }

    @Test(arguments: [("10G", Int64(10) << 30), ("500M", 500 << 20), ("4096", 4096), ("2KiB", 2048)])
    func sizes(text: String, bytes: Int64) throws {
        #expect(try Quantity.bytes(text) == bytes)
    }

    @Test func badQuantitiesAreRefused() {
        #expect(throws: Quantity.ParseError.self) { try Quantity.seconds("soon") }
        #expect(throws: Quantity.ParseError.self) { try Quantity.bytes("-5G") }
    }

    @Test func hangUpReloadsTheConfigAndKeepsTheOldOneWhenTheNewIsBad() throws {
        let d = try DaemonHarness()
        let path = d.root + "/pivot.json"
        try #"{"jobs": 1}"#.write(toFile: path, atomically: false, encoding: .utf8)
        try d.start(["--config", path])
        try #"{"jobs": 2, "typo": 1}"#.write(toFile: path, atomically: false, encoding: .utf8)
        kill(d.pid, SIGHUP)
        #expect(d.waitFor { d.log.contains("could not reload the config, keeping the old one") }, "\(d.log)")
        try #"{"jobs": 2, "recursive": true}"#.write(toFile: path, atomically: false, encoding: .utf8)
        kill(d.pid, SIGHUP)
        #expect(d.waitFor { d.log.contains("reloaded the config (2 job(s) at a time)") }, "\(d.log)")
        #expect(d.log.contains("recursive changed in the config; that takes effect after a restart"))
        d.drop("after.png", Samples.noFace)
        #expect(d.waitFor { d.failed == ["after.png"] })
        #expect(d.stop() == 0)
    }
}
