/// Which inbox entries are meant for the daemon: not hidden files, not files still being written
/// under a temporary name (`*.part`, `*.tmp`, `*~`), not our own copy temporaries.
public enum InboxNames {
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".part") || name.hasSuffix(".tmp") || name.hasSuffix("~")
            || name.hasSuffix(".pivot-copy")
    }
}
