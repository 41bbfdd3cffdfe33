import Pipeline

/// Placeholder until the daemon lands: the version the daemon reports.
public enum WatcherInfo {
    public static let version = PivotVersion.string
}
