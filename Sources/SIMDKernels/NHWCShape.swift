/// Dimensions of a dense NHWC float32 tensor: `x[n][h][w][c]` at `((n·H + h)·W + w)·C + c`.
public struct NHWCShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var batch: Int
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(batch: Int, height: Int, width: Int, channels: Int) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Pixels per image (H·W).
    public var pixels: Int { height * width }
    /// Floats in the whole tensor.
    public var count: Int { batch * height * width * channels }
    public var isValid: Bool { batch >= 1 && height >= 1 && width >= 1 && channels >= 1 }

    public var description: String { "[\(batch), \(height), \(width), \(channels)] (NHWC)" }
}

/// A kernel was asked for an impossible shape or parameter (the message says which).
public struct KernelShapeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
