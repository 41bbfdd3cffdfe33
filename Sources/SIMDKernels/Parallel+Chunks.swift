extension Parallel {
    /// A parallel reduction: `body(chunk, partial)` adds chunk `chunk`'s contribution into `partial`
    /// (`width` floats, zeroed), the chunks run in parallel, and the result is each column summed over all
    /// chunks in Double. Keep chunks small (a few thousand terms) so the Float partials stay accurate.
    static func sumOfPartials(chunks: Int, width: Int, _ body: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks * width)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0, count: chunks * width)
        forEach(chunks) { k in body(k, partials + k * width) }
        var totals = [Double](repeating: 0, count: width)
        for k in 0..<chunks {
            for j in 0..<width { totals[j] += Double(partials[k * width + j]) }
        }
        return totals
    }
}

extension Parallel {
    /// Splits `0..<count` into ranges of about `grain` elements and runs `body` on them in parallel.
    public static func forEachRange(_ count: Int, grain: Int = 16_384, _ body: (Range<Int>) -> Void) {
        let chunks = (count + grain - 1) / grain
        forEach(chunks) { k in body((k * grain)..<min(count, (k + 1) * grain)) }
    }

    /// Zeroes `count` floats in parallel (big fresh buffers page-fault in on both cores).
    static func fillZeros(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        nonisolated(unsafe) let pointer = pointer
        forEachRange(count, grain: 1 << 16) { (pointer + $0.lowerBound).update(repeating: 0, count: $0.count) }
    }
}
