#if canImport(CMalloc)
import CMalloc
#endif

/// How the process gets memory for its large feature maps.
///
/// glibc serves every allocation above 32 MB with a fresh `mmap` and unmaps it on free, so each generator
/// step at 1024² page-faults and zero-fills its 128 MB feature maps again: a fifth of a 1024 step was the
/// kernel clearing pages. Keeping large blocks in the heap lets the next step reuse them (`pivot bench
/// generator --res 1024`: forward 2.23 → 1.51 s, tuning step 6.56 → 4.83 s, peak RSS 1.78 → 1.96 GB).
/// A long-running daemon gives the memory back between photos with `returnFreeMemory()`.
public enum HeapPolicy {
    /// Serve large allocations from the heap and keep freed memory for reuse. Call once, at start-up.
    /// One arena for all threads: a worker thread's arena would hold each large block in a heap of its
    /// own and unmap it on free. Pivot allocates rarely (feature maps, not elements), so the shared
    /// arena's lock costs nothing measurable.
    public static func keepLargeBlocks() {
        #if canImport(CMalloc)
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }

    /// Return the heap's free memory to the system (after a photo, before idling).
    public static func returnFreeMemory() {
        #if canImport(CMalloc)
        _ = malloc_trim(0)
        #endif
    }
}
