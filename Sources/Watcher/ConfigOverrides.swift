import Pipeline

/// Values given as command-line flags; each one that is set replaces the config file's value.
public struct ConfigOverrides: Sendable {
    public var inbox: String?
    public var outbox: String?
    public var state: String?
    /// PTI flags (model, edits, formats, steps, ...); each one set wins over the file's.
    public var pti = PTIOptions()
    public var recursive: Bool?
    public var jobs: Int?
    public var jsonLog: String?
    public var maxPixels: Int?
    public var maxFileBytes: Int64?
    public var maxAttempts: Int?
    public var retryBaseSeconds: Double?
    public var retryMaxSeconds: Double?
    public var settleSeconds: Double?

    public init() {}

    /// The config file's values (or the defaults when there is no file), overridden by the flags.
    public func resolve(configFile: String?) throws -> WatchConfig {
        var config = try configFile.map(WatchConfig.load) ?? WatchConfig()
        func set<T>(_ value: T?, _ field: WritableKeyPath<WatchConfig, T>) {
            if let value { config[keyPath: field] = value }
        }
        set(inbox, \.inbox)
        set(outbox, \.outbox)
        set(state, \.state)
        config.pti = pti.merged(over: config.pti)
        set(recursive, \.recursive)
        set(jobs, \.jobs)
        if let jsonLog { config.jsonLog = jsonLog }
        set(maxPixels, \.limits.maxPixels)
        set(maxFileBytes, \.limits.maxFileBytes)
        set(maxAttempts, \.limits.maxAttempts)
        set(retryBaseSeconds, \.limits.retryBaseSeconds)
        set(retryMaxSeconds, \.limits.retryMaxSeconds)
        set(settleSeconds, \.limits.settleSeconds)
        try config.validate()
        return config
    }
}
