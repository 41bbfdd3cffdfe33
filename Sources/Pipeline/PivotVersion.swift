/// The version printed by `pivot --version` and written into every report.
public enum PivotVersion {
    public static let string = "0.1.0"
}
