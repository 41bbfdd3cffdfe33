import ArgumentParser
import Watcher

/// Where the daemon's folders are: a config file and/or flags (flags win). Shared by `pivot watch`,
/// `pivot status` and `pivot cleanup` so all three find the same state folder.
struct FolderOptions: ParsableArguments {
    @Option(help: "JSON config file (keys: inbox, outbox, state, model, edits, formats, recursive, jobs, jsonLog, limits, pti: the `pivot process --config` keys).")
    var config: String?

    @Option(help: "Folder to watch (default ./inbox).")
    var inbox: String?

    @Option(help: "Folder for finished outputs (default ./outbox).")
    var outbox: String?

    @Option(help: "Folder for the journal, done/ and failed/ (default ./state).")
    var state: String?

    var overrides: ConfigOverrides {
        var o = ConfigOverrides()
        (o.inbox, o.outbox, o.state) = (inbox, outbox, state)
        return o
    }

    func resolve() throws -> WatchConfig {
        try overrides.resolve(configFile: config)
    }
}
