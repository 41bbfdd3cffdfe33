import ArgumentParser
import Foundation
import Watcher

/// `pivot watch`: the unattended inbox -> outbox server.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process every photo dropped into the inbox; write results to the outbox.",
        discussion: """
            Inputs are never deleted: after processing they move to <state>/done/, or to <state>/failed/ \
            next to <name>.error.json. SIGTERM/SIGINT stop after the current step (exit 0); SIGHUP reloads \
            the config file.
            """
    )

    @OptionGroup var folders: FolderOptions

    @OptionGroup var pti: PTIFlags

    @Flag(help: "Also process files in folders inside the inbox.")
    var recursive = false

    @Option(help: "Jobs to run at the same time (default 1; each job uses every core).")
    var jobs: Int?

    @Option(help: "Also log JSON lines to this file (\"-\" for stdout).")
    var jsonLog: String?

    @Option(help: "Refuse images with more pixels than this.")
    var maxPixels: Int?

    @Option(help: "Refuse input files larger than this (e.g. 200M).")
    var maxFileSize: String?

    @Option(help: "Transient failures (disk full, model missing) before an input is given up.")
    var maxAttempts: Int?

    @Option(help: "Wait after the first transient failure (e.g. 30s); doubles each time.")
    var retryAfter: String?

    @Option(help: "Longest wait between retries (e.g. 1h).")
    var retryMax: String?

    @Option(help: "How long a file found by a scan must stay unchanged before it is taken (e.g. 2s).")
    var settle: String?

    @Option(help: .hidden)
    var debugStepDelay: Double = 0

    func run() throws {
        var overrides = folders.overrides
        overrides.pti = pti.options
        overrides.recursive = recursive ? true : nil
        overrides.jobs = jobs
        overrides.jsonLog = jsonLog
        overrides.maxPixels = maxPixels
        overrides.maxFileBytes = try maxFileSize.map(Quantity.bytes)
        overrides.maxAttempts = maxAttempts
        overrides.retryBaseSeconds = try retryAfter.map(Quantity.seconds)
        overrides.retryMaxSeconds = try retryMax.map(Quantity.seconds)
        overrides.settleSeconds = try settle.map(Quantity.seconds)
        let configFile = folders.config
        let load: WatchDaemon.ConfigLoader = { [overrides] in try overrides.resolve(configFile: configFile) }
        let log = try Logger(jsonPath: try load().jsonLog)
        do {
            let makeProcessor: WatchDaemon.ProcessorFactory = { config in
                try PTIJobProcessor(config: config, log: { log.warning("models", $0) })
            }
            let daemon = try WatchDaemon(loadConfig: load, makeProcessor: makeProcessor, log: log,
                                         debugStepDelay: debugStepDelay)
            let status = try daemon.run()
            if status != 0 { throw ExitCode(status) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            log.error("fatal", "\(error)")
            throw ExitCode.failure
        }
    }
}
