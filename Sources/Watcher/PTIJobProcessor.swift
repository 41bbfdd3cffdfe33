import Foundation
import Pipeline

/// What the daemon runs on every input: the whole PTI pipeline (`PhotoProcessor`).
///
/// The models load on the first job and stay loaded. A model that cannot be loaded (missing, being copied,
/// not a generator) is the machine's problem, not the input's: the job fails as transient and is retried
/// with back-off, so fixing the file lets the waiting inputs through. Otherwise an unreadable image or a
/// photo without a face is permanent, a full disk transient, and a stop request interrupts after the
/// current optimisation step (the job runs again from the start next time).
public final class PTIJobProcessor: JobProcessor, @unchecked Sendable {
    private let config: WatchConfig
    private let lock = NSLock()
    private var processor: PhotoProcessor?
    private let log: (String) -> Void

    /// Checks the settings now (a bad edit name or value stops the daemon at start); loads models later.
    public init(config: WatchConfig, log: @escaping (String) -> Void = { _ in }) throws {
        self.config = config
        self.log = log
        _ = try settings()
    }

    private func settings() throws -> (files: PTIModelFiles, settings: PTISettings) {
        var options = config.pti
        options.maxPixels = config.limits.maxPixels
        return try options.resolved()
    }

    private func loadedProcessor() throws -> PhotoProcessor {
        lock.lock()
        defer { lock.unlock() }
        if let processor { return processor }
        let (files, settings) = try settings()
        let models: PTIModels
        do {
            models = try PTIModels.load(files)
        } catch {
            throw JobError.transient(stage: "model", "cannot load the models: \(error)")
        }
        let loaded = try PhotoProcessor(models: models, settings: settings, finder: try FaceFinder.standard())
        for warning in loaded.models.warnings { log(warning) }
        processor = loaded
        return loaded
    }

    public func process(_ job: Job, progress: JobProgressReporter) throws {
        progress.report(stage: "model", step: 0, of: 1)
        let processor = try loadedProcessor()
        progress.report(stage: "align", step: 0, of: 1)
        do {
            try processor.process(photo: job.input, name: job.name, into: job.outputFolder, observe: { step in
                progress.report(stage: step.stage, step: step.step, of: step.total)
                if progress.stopRequested { throw JobError.interrupted(stage: step.stage) }
            })
        } catch let error as NoFaceError {
            throw JobError.permanent(stage: "detect", "no face found in \(LogText.quoted(error.file))")
        } catch let error as ImageError {
            // An input the daemon has just claimed that cannot be read, or an output that cannot be written
            // (full disk), points at the machine, not at the file.
            let machine = error.kind == .unreadable || error.kind == .notWritten
            throw JobError(machine ? .transient : .permanent, stage: error.kind == .notWritten ? "write" : "decode", error.reason)
        } catch let error as CheckpointError where error.kind == .io {
            throw JobError.transient(stage: "write", error.description)
        } catch let error as JobError {
            throw error
        } catch {
            throw JobError.classify(error, stage: "process")
        }
    }
}
