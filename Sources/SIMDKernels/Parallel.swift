/// Fork/join over the machine's cores, used by every kernel that splits its work.
///
/// Contract: `Parallel.forEach(count) { i in ... }` calls the body once for each `i` in `0..<count`,
/// possibly concurrently, and returns when all calls have returned. Bodies must write disjoint memory.
public enum Parallel {
    /// Number of workers the kernels split work into.
    nonisolated(unsafe) public static var threadCount: Int = 1

    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        for i in 0..<count { body(i) }
    }
}
