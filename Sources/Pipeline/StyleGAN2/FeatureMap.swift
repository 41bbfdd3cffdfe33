/// One image's feature map, NHWC: `values[(h·size + w)·channels + c]`.
struct FeatureMap {
    let size: Int
    let channels: Int
    var values: [Float]

    init(size: Int, channels: Int) {
        self.init(size: size, channels: channels, values: [Float](repeating: 0, count: size * size * channels))
    }

    init(size: Int, channels: Int, values: [Float]) {
        self.size = size
        self.channels = channels
        self.values = values
    }
}
