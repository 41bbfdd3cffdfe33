import Synchronization

/// Reused 64-byte-aligned float buffers for the big temporaries kernels need on every call (packed
/// weights, Winograd's transformed tiles). A fresh multi-megabyte allocation is mmapped and page-faulted
/// in, a page at a time, on every call: a few per cent of a PTI step went to that.
///
/// `take` hands out the smallest kept buffer that is large enough (or a new one); `give` keeps it for the
/// next caller while the pool holds at most `keptCount` buffers and `keptBytes` in all (the smallest are
/// freed beyond that, so an idle process holds at most 64 MB here). Contents are not initialised.
public enum ScratchPool {
    private struct Buffer: @unchecked Sendable {  // unchecked: owned by whoever took it from the pool
        let pointer: UnsafeMutableRawPointer
        let bytes: Int
    }

    private static let free = Mutex<[Buffer]>([])
    // Enough for a 512×512 layer's 36 Winograd matrices plus its transformed tiles.
    private static let keptCount = 64
    private static let keptBytes = 64 << 20

    static func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let bytes = max(1, count) * 4
        let reused = free.withLock { buffers -> Buffer? in
            guard let best = buffers.indices.filter({ buffers[$0].bytes >= bytes })
                .min(by: { buffers[$0].bytes < buffers[$1].bytes }) else { return nil }
            return buffers.remove(at: best)
        }
        let buffer = reused ?? Buffer(pointer: .allocate(byteCount: bytes, alignment: 64), bytes: bytes)
        return (buffer.pointer.bindMemory(to: Float.self, capacity: buffer.bytes / 4), buffer.bytes / 4)
    }

    static func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        // One buffer over the byte budget is freed at once: kept, it would evict every other buffer first.
        guard capacity * 4 <= keptBytes else { return pointer.deallocate() }
        let evicted = free.withLock { buffers -> [Buffer] in
            buffers.append(Buffer(pointer: UnsafeMutableRawPointer(pointer), bytes: capacity * 4))
            buffers.sort { $0.bytes > $1.bytes }
            var evicted: [Buffer] = []
            while buffers.count > keptCount || buffers.reduce(0, { $0 + $1.bytes }) > keptBytes {
                evicted.append(buffers.removeLast())
            }
            return evicted
        }
        for buffer in evicted { buffer.pointer.deallocate() }
    }

    /// Frees every kept buffer: for a process about to idle after a long job.
    public static func releaseAll() {
        let kept = free.withLock { buffers -> [Buffer] in
            defer { buffers.removeAll() }
            return buffers
        }
        for buffer in kept { buffer.pointer.deallocate() }
    }

    /// Runs `body` with a buffer of at least `count` floats, returned to the pool afterwards.
    static func with<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let (pointer, capacity) = take(count)
        defer { give(pointer, capacity: capacity) }
        return try body(pointer)
    }
}
