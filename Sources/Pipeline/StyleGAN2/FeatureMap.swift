/// One image's feature map, NHWC: `values[(h·size + w)·channels + c]`.
struct FeatureMap {
    let size: Int
    let channels: Int
    var values: [Float]

    init(size: Int, channels: Int) {
        self.init(size: size, channels: channels, values: [Float](repeating: 0, count: size * size * channels))
    }

    /// A map whose every value `fill` writes (no zero-filling first).
    init(size: Int, channels: Int, fill: (UnsafeMutablePointer<Float>) -> Void) {
        self.init(size: size, channels: channels, values: filledArray(count: size * size * channels, fill))
    }

    init(size: Int, channels: Int, values: [Float]) {
        self.size = size
        self.channels = channels
        self.values = values
    }
}

/// An array of `count` floats, every one written by `fill` (no zero-filling first).
func filledArray(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    guard count > 0 else { return [] }
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        fill(buffer.baseAddress!)
        initialized = count
    }
}
