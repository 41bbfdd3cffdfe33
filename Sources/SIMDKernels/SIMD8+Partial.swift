/// Loads and stores of the first `count` (≤ 8) lanes, for channel counts that are not a multiple of 8
/// (ToRGB's 3, odd test shapes): one code path serves full and partial vectors.
extension SIMD8 where Scalar == Float {
    @inline(__always)
    init(loading source: UnsafePointer<Float>, count: Int, padding: Float = 0) {
        if count == 8 {
            self = UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self)
        } else {
            self.init(repeating: padding)
            for lane in 0..<count { self[lane] = source[lane] }
        }
    }

    @inline(__always)
    func store(to destination: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(destination).storeBytes(of: self, as: SIMD8<Float>.self)
        } else {
            for lane in 0..<count { destination[lane] = self[lane] }
        }
    }
}
