import Watcher

/// What `pivot watch` runs on every input. When the PTI pipeline lands, this is the one line to change.
/// Today: ImageCheckProcessor (INTERIM: decodes, detects faces, publishes the input unchanged + faces.json).
@Sendable func makeJobProcessor(_ config: WatchConfig) throws -> any JobProcessor {
    try ImageCheckProcessor(config: config)
}
