/// A single image or feature map for the scalar references: height × width × channels, channels innermost
/// (NHWC with N = 1), held in Double so the references accumulate without rounding worries.
public struct ReferenceImage: Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var values: [Double]

    public init(height: Int, width: Int, channels: Int, values: [Double]) {
        precondition(values.count == height * width * channels, "ReferenceImage: size mismatch")
        self.height = height
        self.width = width
        self.channels = channels
        self.values = values
    }

    public init(height: Int, width: Int, channels: Int) {
        self.init(height: height, width: width, channels: channels,
                  values: [Double](repeating: 0, count: height * width * channels))
    }

    /// Builds the image from a PyTorch-layout `[C, H, W]` buffer (as the fixtures store images).
    public init<F: BinaryFloatingPoint>(chw: [F], channels: Int, height: Int, width: Int) {
        self.init(height: height, width: width, channels: channels)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width { values[(y * width + x) * channels + c] = Double(chw[(c * height + y) * width + x]) }
            }
        }
    }

    /// The values in PyTorch `[C, H, W]` order, to compare with fixture tensors.
    public var chw: [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width { out[(c * height + y) * width + x] = values[(y * width + x) * channels + c] }
            }
        }
        return out
    }

    @inline(__always) public func index(_ y: Int, _ x: Int, _ c: Int) -> Int { (y * width + x) * channels + c }

    public var pixelCount: Int { height * width }
}
