import SIMDKernels

/// One NHWC activation (batch 1) with its shape: what the LPIPS layers pass to each other.
struct LPIPSFeatureMap: Sendable {
    var shape: NHWCShape
    var values: [Float]

    init(shape: NHWCShape, values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// A map whose values `fill` writes (every element must be written).
    init(shape: NHWCShape, fill: (UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        self.shape = shape
        values = try [Float](unsafeUninitializedCapacity: shape.count) { buffer, count in
            try fill(buffer.baseAddress!)
            count = shape.count
        }
    }

    static func += (lhs: inout LPIPSFeatureMap, rhs: LPIPSFeatureMap) {
        lhs.values.withUnsafeMutableBufferPointer { sum in
            rhs.values.withUnsafeBufferPointer { term in
                nonisolated(unsafe) let (sum, term) = (sum.baseAddress!, term.baseAddress!)
                Parallel.forEachRange(rhs.values.count) { range in
                    for i in range { sum[i] += term[i] }
                }
            }
        }
    }
}
