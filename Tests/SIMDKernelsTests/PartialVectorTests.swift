import Testing
import SIMDKernels

/// The strided SIMD8 loads and stores of the first `count` lanes (gathering: the rest are 0; scatter: the
/// rest of memory is untouched), for unit and wider strides.
struct PartialVectorTests {
    @Test(arguments: [1, 3, 7, 8])
    func stridedLoadsAndStores(count: Int) {
        for stride in [1, 2, 9] {
            let source = (0..<(8 * stride)).map { Float($0) + 0.5 }
            let v = source.withUnsafeBufferPointer { SIMD8<Float>(gathering: $0.baseAddress!, stride: stride, count: count) }
            for lane in 0..<8 { #expect(v[lane] == (lane < count ? source[lane * stride] : 0), "stride \(stride) lane \(lane)") }
            var destination = [Float](repeating: -1, count: 8 * stride)
            destination.withUnsafeMutableBufferPointer { v.scatter(to: $0.baseAddress!, stride: stride, count: count) }
            for (i, x) in destination.enumerated() {
                let written = i % stride == 0 && i / stride < count
                #expect(x == (written ? source[i] : -1), "stride \(stride) index \(i)")
            }
        }
    }
}
