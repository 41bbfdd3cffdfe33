import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// Runs the real `pivot watch` as a subprocess on private temporary folders.
final class DaemonHarness {
    let root: String
    var inbox: String { root + "/inbox" }
    var outbox: String { root + "/outbox" }
    var state: String { root + "/state" }
    var logPath: String { root + "/daemon.log" }
    private var process: Process?
    private var mounted: [String] = []

    /// The `pivot` executable SwiftPM built next to the test bundle.
    static var executable: String {
        if let path = ProcessInfo.processInfo.environment["PIVOT_EXECUTABLE"] { return path }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("pivot").path
    }

    init() throws {
        root = try temporaryFolder("watch")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        Self.write(logPath, [])
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        for point in mounted { _ = Self.run("/bin/umount", [point]) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The folder arguments plus fast test timings (the demo generator with 2 + 1 optimisation steps).
    var baseArguments: [String] {
        ["--inbox", inbox, "--outbox", outbox, "--state", state, "--settle", "0.2", "--retry-after", "0.3",
         "--invert-steps", "2", "--tune-steps", "1", "--models-folder", root + "/no-models"]
    }

    /// The SHA-256 of the input a published result was made from (from its report.json).
    func inputDigest(of output: String) -> String? {
        guard let data = FileManager.default.contents(atPath: outbox + "/" + output + "/report.json"),
              let report = try? JSONDecoder().decode(PhotoReport.self, from: data) else { return nil }
        return report.input.sha256
    }

    static func digest(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes(SHA256.hex) }

    /// Starts `pivot <command> ...` and waits until it logs that it watches the inbox.
    func start(_ extra: [String] = [], command: String = "watch") throws {
        let readyBefore = log.components(separatedBy: "info watching ").count
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [command] + baseArguments + extra
        let handle = FileHandle(forWritingAtPath: logPath)!
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let ready = waitFor { self.log.components(separatedBy: "info watching ").count > readyBefore || !process.isRunning }
        #expect(ready && process.isRunning, "daemon did not start:\n\(log)")
    }

    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Sends `signal` and waits for the exit; returns the exit status. (The daemon stops at the job's next
    /// step, which on a loaded machine can be many seconds away: hence the same generous wait as `waitFor`.)
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 60) -> Int32? {
        guard let process else { return nil }
        kill(process.processIdentifier, signal)
        guard waitFor(timeout: timeout, { !process.isRunning }) else { return nil }
        self.process = nil
        return process.terminationStatus
    }

    var isRunning: Bool { process?.isRunning ?? false }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass (generous: every job runs the
    /// real PTI pipeline, and a loaded machine can take several seconds per job).
    @discardableResult
    func waitFor(timeout: Double = 60, _ condition: () -> Bool) -> Bool {
        let end = Date() + timeout
        while Date() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Writes a file straight into the inbox (open, write, close: IN_CLOSE_WRITE).
    func drop(_ name: String, _ bytes: [UInt8]) {
        Self.write(inbox + "/" + name, bytes)
    }

    /// Writes under a temporary name, then renames into place (IN_MOVED_TO), as careful uploaders do.
    func dropByRename(_ name: String, _ bytes: [UInt8]) {
        let temporary = inbox + "/." + name + ".part"
        Self.write(temporary, bytes)
        rename(temporary, inbox + "/" + name)
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    var done: [String] { names(state + "/done") }
    var failed: [String] { names(state + "/failed").filter { !$0.hasSuffix(".error.json") } }
    /// Published output folders (not the hidden partial folder).
    var outputs: [String] { names(outbox).filter { !$0.hasPrefix(".") } }

    func errorReport(_ name: String) -> [String: Any] {
        let data = FileManager.default.contents(atPath: state + "/failed/" + name + ".error.json") ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    /// Runs `pivot <arguments>` to completion; returns (status, stdout, stderr).
    func pivot(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
        Self.run(Self.executable, arguments)
    }

    /// Mounts a tmpfs of `bytes` at `path` (root only); false when not permitted.
    func mountTmpfs(_ path: String, bytes: Int) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path]).status == 0 else { return false }
        mounted.append(path)
        return true
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        guard (try? process.run()) != nil else { return (-1, "", "cannot run \(executable)") }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// Inputs for the daemon: a real face (a fixture chip), and bad inputs made on the spot.
enum Samples {
    static let faceFixture = "faces/johns/John_Salley/000179_02159509.jpg"

    /// A 150x150 JPEG with one face; empty when the fixtures are absent (tests using it are skipped then).
    static let face = fixture(faceFixture)
    static let otherFace = fixture("faces/johns/John_Salley/000183_02159543.jpg")

    static func fixture(_ name: String) -> [UInt8] {
        FileManager.default.contents(atPath: Fixtures.url(name).path).map(Array.init) ?? []
    }

    /// A valid PNG of a flat gray square: decodes fine, has no face.
    static let noFace: [UInt8] = (try? ImageCodec.encode(flat(48, 40), as: .png)) ?? []

    /// The first half of a valid JPEG.
    static let truncatedJPEG: [UInt8] = {
        let whole = (try? ImageCodec.encode(flat(64, 64), as: .jpeg(quality: 90))) ?? []
        return Array(whole.prefix(whole.count / 2))
    }()

    static let text: [UInt8] = Array("this is not an image\n".utf8)

    /// A 100 KB-free PNG whose header claims 100000 x 100000 pixels (a decompression bomb).
    static let pngBomb: [UInt8] = {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
        }
        let header = bigEndian(100_000) + bigEndian(100_000) + [8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", idat) + chunk("IEND", [])
    }()

    static func flat(_ width: Int, _ height: Int) -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](repeating: 128, count: width * height * 3))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    /// PNG's CRC-32 (polynomial 0xEDB88320), bit by bit.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// Success paths need a real face, which only the fixtures provide.
let needsFace = Testing.ConditionTrait.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage))
