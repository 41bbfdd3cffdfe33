/// A rectangle of whole pixels with **inclusive** corners, as dlib's `rectangle`: width is `right − left + 1`.
public struct PixelRect: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var left: Int
    public var top: Int
    public var right: Int
    public var bottom: Int

    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }

    public var width: Int { right - left + 1 }
    public var height: Int { bottom - top + 1 }
    public var isEmpty: Bool { right < left || bottom < top }
    /// Pixel count, 0 when empty.
    public var area: Int { isEmpty ? 0 : width * height }

    public func intersection(_ other: PixelRect) -> PixelRect {
        PixelRect(left: max(left, other.left), top: max(top, other.top),
                  right: min(right, other.right), bottom: min(bottom, other.bottom))
    }

    /// The smallest rectangle containing both (dlib's `rect + rect`).
    public func boundingBox(_ other: PixelRect) -> PixelRect {
        PixelRect(left: min(left, other.left), top: min(top, other.top),
                  right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    public var description: String { "(\(left),\(top))-(\(right),\(bottom))" }
}

/// A whole-pixel position (column x, row y).
public struct PixelPoint: Equatable, Hashable, Sendable {
    public var x: Int
    public var y: Int
    public init(x: Int, y: Int) { self.x = x; self.y = y }
}

/// dlib's conversion from a real coordinate to a pixel: `floor(v + 0.5)`.
@inline(__always) func dlibRound(_ v: Double) -> Int { Int((v + 0.5).rounded(.down)) }
