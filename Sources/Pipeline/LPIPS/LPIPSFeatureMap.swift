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
        for i in lhs.values.indices { lhs.values[i] += rhs.values[i] }
    }
}
