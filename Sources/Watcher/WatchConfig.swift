import Foundation
import Pipeline

/// Everything `pivot watch` can be told, from a JSON config file and/or flags (flags win).
/// Relative paths are relative to the daemon's working directory.
public struct WatchConfig: Codable, Sendable, Equatable {
    public var inbox = "inbox"
    public var outbox = "outbox"
    /// Journal, claimed inputs, done/ and failed/.
    public var state = "state"
    /// What to run on each photo: model, weight files, edits, formats, steps (the `pivot process --config`
    /// keys). In the file they go under "pti"; "model", "edits" (a list) and "formats" (a list) are also
    /// accepted at the top level.
    public var pti = PTIOptions()
    /// Also watch folders inside the inbox.
    public var recursive = false
    /// Jobs run at the same time (each job already uses every core).
    public var jobs = 1
    /// JSON-lines log: nil for none, "-" for stdout, else a file path.
    public var jsonLog: String?
    public var limits = Limits()

    public struct Limits: Codable, Sendable, Equatable {
        /// Inputs larger than this are refused before decoding.
        public var maxFileBytes: Int64 = 200 << 20
        /// Images with more pixels than this are refused from their header (decompression bombs).
        public var maxPixels: Int = 50_000_000
        /// Transient failures (disk full, model missing) before an input is given up and moved to failed/.
        public var maxAttempts = 10
        /// Back-off after the first transient failure; doubles each time up to `retryMaxSeconds`.
        public var retryBaseSeconds = 30.0
        public var retryMaxSeconds = 3600.0
        /// Files found by a scan (not announced by inotify) must be unchanged this long before they are taken.
        public var settleSeconds = 2.0
        /// Runs interrupted by a crash before the input is blamed (it may be what crashes the daemon).
        public var maxInterruptions = 3

        public init() {}
    }

    public init() {}

    /// Reads a JSON config file. Unknown keys are an error, so a typo does not silently do nothing.
    public static func load(_ path: String) throws -> WatchConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(description: "cannot read config file \(LogText.quoted(path))")
        }
        do {
            return try JSONDecoder().decode(WatchConfig.self, from: data)
        } catch let error as ConfigError {
            throw ConfigError(description: "config file \(LogText.quoted(path)): \(error.description)")
        } catch {
            throw ConfigError(description: "config file \(LogText.quoted(path)) is not valid JSON: \(error)")
        }
    }

    /// Checks values that would make the daemon misbehave.
    public func validate() throws {
        func require(_ ok: Bool, _ message: String) throws { if !ok { throw ConfigError(description: message) } }
        try require(jobs >= 1, "jobs must be at least 1 (got \(jobs))")
        try require(limits.maxFileBytes > 0, "limits.maxFileBytes must be positive")
        try require(limits.maxPixels > 0, "limits.maxPixels must be positive")
        try require(limits.maxAttempts >= 1, "limits.maxAttempts must be at least 1")
        try require(limits.retryBaseSeconds > 0 && limits.retryMaxSeconds >= limits.retryBaseSeconds,
                    "limits.retryBaseSeconds must be positive and at most limits.retryMaxSeconds")
        try require(limits.settleSeconds >= 0, "limits.settleSeconds must not be negative")
        try require(limits.maxInterruptions >= 1, "limits.maxInterruptions must be at least 1")
        do { _ = try pti.resolved() } catch { throw ConfigError(description: "\(error)") }
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public var description: String
}

/// Decoding with defaults for missing keys and an error for unknown ones.
extension WatchConfig {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    fileprivate static func rejectUnknownKeys(_ decoder: Decoder, known: [String], section: String) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw ConfigError(description: "unknown key \"\(section)\(key.stringValue)\" (known: \(known.joined(separator: ", ")))")
        }
    }

    public init(from decoder: Decoder) throws {
        try Self.rejectUnknownKeys(decoder, known: CodingKeys.allNames, section: "")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        inbox = try c.decodeIfPresent(String.self, forKey: .inbox) ?? inbox
        outbox = try c.decodeIfPresent(String.self, forKey: .outbox) ?? outbox
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? state
        recursive = try c.decodeIfPresent(Bool.self, forKey: .recursive) ?? recursive
        jobs = try c.decodeIfPresent(Int.self, forKey: .jobs) ?? jobs
        jsonLog = try c.decodeIfPresent(String.self, forKey: .jsonLog)
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? limits
        if c.contains(.pti) {
            let section = try c.superDecoder(forKey: .pti)
            try Self.rejectUnknownKeys(section, known: PTIOptions.keyNames, section: "pti.")
            pti = try PTIOptions(from: section)
        }
        pti.model = try c.decodeIfPresent(String.self, forKey: .model) ?? pti.model
        pti.edits = try c.decodeIfPresent([String].self, forKey: .edits) ?? pti.edits
        pti.format = try c.decodeIfPresent([String].self, forKey: .formats)?.joined(separator: ",") ?? pti.format
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inbox, forKey: .inbox)
        try c.encode(outbox, forKey: .outbox)
        try c.encode(state, forKey: .state)
        try c.encode(recursive, forKey: .recursive)
        try c.encode(jobs, forKey: .jobs)
        try c.encodeIfPresent(jsonLog, forKey: .jsonLog)
        try c.encode(limits, forKey: .limits)
        try c.encode(pti, forKey: .pti)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case inbox, outbox, state, model, edits, formats, recursive, jobs, jsonLog, limits, pti
        static var allNames: [String] { allCases.map(\.rawValue) }
    }
}

extension WatchConfig.Limits {
    public init(from decoder: Decoder) throws {
        try WatchConfig.rejectUnknownKeys(decoder, known: CodingKeys.allNames, section: "limits.")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        maxFileBytes = try c.decodeIfPresent(Int64.self, forKey: .maxFileBytes) ?? maxFileBytes
        maxPixels = try c.decodeIfPresent(Int.self, forKey: .maxPixels) ?? maxPixels
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
        retryBaseSeconds = try c.decodeIfPresent(Double.self, forKey: .retryBaseSeconds) ?? retryBaseSeconds
        retryMaxSeconds = try c.decodeIfPresent(Double.self, forKey: .retryMaxSeconds) ?? retryMaxSeconds
        settleSeconds = try c.decodeIfPresent(Double.self, forKey: .settleSeconds) ?? settleSeconds
        maxInterruptions = try c.decodeIfPresent(Int.self, forKey: .maxInterruptions) ?? maxInterruptions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxFileBytes, maxPixels, maxAttempts, retryBaseSeconds, retryMaxSeconds, settleSeconds, maxInterruptions
        static var allNames: [String] { allCases.map(\.rawValue) }
    }
}
