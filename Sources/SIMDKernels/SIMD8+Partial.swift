/// Loads and stores of the first `count` (≤ 8) lanes, for channel counts that are not a multiple of 8
/// (ToRGB's 3, odd test shapes): one code path serves full and partial vectors. Inlinable, so that other
/// modules' loops keep the vectors in registers.
extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    public init(loading source: UnsafePointer<Float>, count: Int, padding: Float = 0) {
        if count == 8 {
            self = UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self)
        } else {
            self.init(repeating: padding)
            for lane in 0..<count { self[lane] = source[lane] }
        }
    }

    @inlinable @inline(__always)
    public func store(to destination: UnsafeMutablePointer<Float>, count: Int) {
        if count == 8 {
            UnsafeMutableRawPointer(destination).storeBytes(of: self, as: SIMD8<Float>.self)
        } else {
            for lane in 0..<count { destination[lane] = self[lane] }
        }
    }
}

/// Strided loads and stores of the first `count` (≤ 8) lanes: eight rows of a matrix read or written one
/// column at a time (the modulated-weight transposes).
extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    public init(gathering source: UnsafePointer<Float>, stride: Int, count: Int) {
        if stride == 1 {
            self.init(loading: source, count: count)
        } else if count == 8 {
            self.init(source[0], source[stride], source[2 * stride], source[3 * stride],
                      source[4 * stride], source[5 * stride], source[6 * stride], source[7 * stride])
        } else {
            self.init()
            for lane in 0..<count { self[lane] = source[lane * stride] }
        }
    }

    @inlinable @inline(__always)
    public func scatter(to destination: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        if count == 8 {
            for lane in 0..<8 { destination[lane * stride] = self[lane] }
        } else {
            for lane in 0..<count { destination[lane * stride] = self[lane] }
        }
    }
}
