/// EXIF tag 0x0112: how the stored pixels must be turned to be seen upright.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    case identity = 1
    case flipHorizontal = 2
    case rotate180 = 3
    case flipVertical = 4
    case transpose = 5
    case rotate90Clockwise = 6
    case transverse = 7
    case rotate90CounterClockwise = 8

    /// Reads the orientation from an EXIF TIFF block (as stored in JPEG APP1 after "Exif\0\0", in PNG eXIf
    /// or in the WebP EXIF chunk). Returns nil when the block is malformed or has no valid orientation;
    /// a bad EXIF block never makes an image unreadable.
    public init?(exif bytes: [UInt8]) {
        // Some writers keep JPEG's "Exif\0\0" prefix in PNG and WebP too.
        let tiff = bytes.starts(with: Array("Exif\0\0".utf8)) ? Array(bytes.dropFirst(6)) : bytes
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true   // "II"
        case (0x4D, 0x4D): littleEndian = false  // "MM"
        default: return nil
        }
        func uint16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let (a, b) = (Int(tiff[at]), Int(tiff[at + 1]))
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func uint32(_ at: Int) -> Int? {
            guard let low = uint16(littleEndian ? at : at + 2), let high = uint16(littleEndian ? at + 2 : at)
            else { return nil }
            return low | high << 16
        }
        guard uint16(2) == 42, let ifd = uint32(4), let entries = uint16(ifd) else { return nil }
        for index in 0..<entries {
            let entry = ifd + 2 + 12 * index
            // Tag 0x0112, type SHORT (3), count 1: the value sits in the first two bytes of the value field.
            guard let tag = uint16(entry) else { return nil }
            guard tag == 0x0112 else { continue }
            guard uint16(entry + 2) == 3, uint32(entry + 4) == 1, let value = uint16(entry + 8) else { return nil }
            self.init(rawValue: value)
            return
        }
        return nil
    }

    /// Whether the upright image has width and height exchanged.
    var swapsAxes: Bool { rawValue >= 5 }

    /// The stored pixel shown at upright position (x, y), for a stored image of `width` x `height`.
    func storedPosition(x: Int, y: Int, width: Int, height: Int) -> (x: Int, y: Int) {
        switch self {
        case .identity: (x, y)
        case .flipHorizontal: (width - 1 - x, y)
        case .rotate180: (width - 1 - x, height - 1 - y)
        case .flipVertical: (x, height - 1 - y)
        case .transpose: (y, x)
        case .rotate90Clockwise: (y, height - 1 - x)
        case .transverse: (width - 1 - y, height - 1 - x)
        case .rotate90CounterClockwise: (width - 1 - y, x)
        }
    }
}
