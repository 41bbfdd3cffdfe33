import Watcher

/// What `pivot watch` runs on every input. When the PTI pipeline lands, this is the one line to change.
/// Today: ImageCheckProcessor (INTERIM: verifies the input and copies it; it edits nothing).
@Sendable func makeJobProcessor(_ config: WatchConfig) throws -> any JobProcessor {
    ImageCheckProcessor(config: config)
}
