import ArgumentParser
import Foundation
import Pipeline
import Watcher

/// `pivot process`: Pivotal Tuning Inversion on photos, from the command line.
struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process",
        abstract: "Align, invert, pivotal-tune and edit every face in the given photos.",
        discussion: """
            For photo.jpg the results go to OUTPUT/photo/ (OUTPUT/photo-2/ ... if that exists), made visible \
            only when complete: report.json, and per face faceN/aligned.png, inversion, reconstruction, \
            <edit>_<factor> images and pivot.safetensors. Without --model the built-in DEMO generator runs \
            (random weights: the pipeline works, the pictures are not faces). Weight files not given are \
            looked up in --models-folder (README: "Models").

            Edits: NAME=F1,F2,... where NAME is a direction file's stem (age, smile, rotation, ...) or a \
            GANSpace preset gs_eye_openness, gs_smile, gs_trimmed_beard (needs a PCA file). InterFaceGAN \
            factors are used as given (w + f*n); --upstream-factors halves them as PTI's notebook does. \
            GANSpace factors set the component's coordinate, in standard deviations, as upstream does.

            Exit codes: 0 all photos done; 3 a photo had no face (others are still processed); 1 any \
            other failure; 64 bad usage.
            """)

    @Argument(help: "Photos (JPEG, PNG, WebP).")
    var images: [String]

    @Option(help: "Folder that receives one folder per photo.")
    var output = "outbox"

    @Option(help: "JSON config file with any of the long option names in camelCase (flags win).")
    var config: String?

    @OptionGroup var pti: PTIFlags

    @Option(help: "Refuse images with more pixels than this.") var maxPixels: Int?
    @Option(help: "Also log JSON lines to this file (\"-\" for stdout).") var jsonLog: String?

    func run() throws {
        var flags = pti.options
        flags.maxPixels = maxPixels

        let log = try Logger(jsonPath: jsonLog)
        let processor: PhotoProcessor
        do {
            let options = try flags.merged(over: config.map(PTIOptions.load) ?? PTIOptions())
            let (files, settings) = try options.resolved()
            log.info("load", "loading models")
            processor = try PhotoProcessor(models: try PTIModels.load(files), settings: settings, finder: try .standard())
            for warning in processor.models.warnings { log.warning("warning", warning) }
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            log.error("setup", "\(error)")
            throw ExitCode.failure
        }

        var noFace = false, failed = false
        for image in images {
            let photo = URL(fileURLWithPath: image)
            let progress = ProgressLine()
            do {
                let folder = try PublishedFolder(outbox: output, stem: photo.deletingPathExtension().lastPathComponent)
                let report = try processor.process(photo: photo, into: folder.temporary, observe: progress.update,
                                                   log: { progress.clear(); log.info("progress", $0) })
                progress.clear()
                let published = try folder.publish()
                log.info("done", "\(image) -> \(published) (\(report.faces.count) face\(report.faces.count == 1 ? "" : "s"), "
                         + String(format: "%.1f s)", report.totalSeconds), ["input": image, "output": published])
            } catch let error as NoFaceError {
                progress.clear()
                log.error("no-face", "\(error)", ["input": image])
                noFace = true
            } catch {
                progress.clear()
                log.error("failed", "\(image): \(error)", ["input": image])
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
        if noFace { throw ExitCode(3) }
    }
}

/// A private folder in the outbox, renamed to `<stem>` (or `<stem>-2`, ...) when complete; removed if the
/// work fails, so the outbox only ever shows finished results.
final class PublishedFolder {
    let outbox: String
    let stem: String
    let temporary: URL
    private var published = false

    init(outbox: String, stem: String) throws {
        self.outbox = outbox
        self.stem = stem
        temporary = URL(fileURLWithPath: outbox).appendingPathComponent(".\(stem).\(getpid()).partial")
        Self.removeAbandoned(stem: stem, in: outbox)
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
    }

    /// Partial folders of runs that were killed (their process is gone) are removed, never published.
    private static func removeAbandoned(stem: String, in outbox: String) {
        let prefix = ".\(stem).", suffix = ".partial"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            guard let pid = Int32(name.dropFirst(prefix.count).dropLast(suffix.count)), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: "\(outbox)/\(name)") }
        }
    }

    /// Renames into place without ever replacing an existing result; returns the final path.
    func publish() throws -> String {
        for attempt in 1...10_000 {
            let target = "\(outbox)/\(attempt == 1 ? stem : "\(stem)-\(attempt)")"
            if FileManager.default.fileExists(atPath: target) { continue }
            if rename(temporary.path, target) == 0 {
                published = true
                return target
            }
            if errno != EEXIST && errno != ENOTEMPTY {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target,
                                                               NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        }
        throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: "\(outbox)/\(stem)"])
    }

    deinit {
        if !published { try? FileManager.default.removeItem(at: temporary) }
    }
}

/// One live progress line on a terminal (`invert 120/450 loss 0.4321 ETA 1m23s`), or a plain line every
/// 10% when stderr is a file or a pipe.
final class ProgressLine {
    private let interactive = isatty(STDERR_FILENO) == 1
    private var stage = ""
    private var stageStart = Date()
    private var shown = false

    func update(_ report: StepReport) {
        let now = Date()
        if report.stage != stage { stage = report.stage; stageStart = now }
        let elapsed = now.timeIntervalSince(stageStart)
        let eta = elapsed / Double(report.step) * Double(report.total - report.step)
        let text = String(format: "%@ %d/%d  loss %.4f  %.2f s/step  ETA %@", report.stage, report.step, report.total,
                          report.loss, elapsed / Double(report.step), Self.duration(eta))
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            shown = true
        } else if report.step == report.total || report.step % max(1, report.total / 10) == 0 {
            FileHandle.standardError.write(Data("\(LogText.timestamp()) info \(text)\n".utf8))
        }
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); shown = false }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
