import CMalloc
import Pipeline
import Testing

/// glibc maps every allocation above its largest mmap threshold (32 MB) on its own and unmaps it on free;
/// `HeapPolicy.keepLargeBlocks()` must make such a block come from the heap instead.
@Suite(.serialized) struct HeapPolicyTests {
    /// Bytes glibc currently holds in blocks mapped on their own (all threads).
    func separatelyMappedBytes() -> Int { mallinfo2().hblkhd }

    @Test func largeBlocksComeFromTheHeapNotFromTheirOwnMapping() {
        let bytes = 48 << 20
        HeapPolicy.keepLargeBlocks()
        let before = separatelyMappedBytes()
        let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        let during = separatelyMappedBytes()
        block.deallocate()
        HeapPolicy.returnFreeMemory()
        #expect(during - before < bytes, "a 48 MB block was mapped on its own (\(during - before) bytes)")
    }
}
