/// Builds PNG files byte by byte (stored, uncompressed zlib blocks), so tests can produce every colour type,
/// bit depth, palette, tRNS, Adam7 interlacing and eXIf variant independently of the encoder under test.
struct PNGFileBuilder {
    var width: Int
    var height: Int
    /// 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.
    var colorType: UInt8
    var bitDepth: Int
    var interlaced = false
    /// Chunks written between IHDR and IDAT (PLTE, tRNS, eXIf...).
    var chunksBeforeData: [(type: String, data: [UInt8])] = []
    /// Chunks written after IDAT.
    var chunksAfterData: [(type: String, data: [UInt8])] = []

    var channels: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)]! }

    /// `sample(x, y, channel)` gives each raw sample (< 2^bitDepth).
    func build(_ sample: (Int, Int, Int) -> Int) -> [UInt8] {
        var raw: [UInt8] = []
        let passes: [(x0: Int, y0: Int, dx: Int, dy: Int)] = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for pass in passes {
            let xs = Array(stride(from: pass.x0, to: width, by: pass.dx))
            guard !xs.isEmpty else { continue }
            for y in stride(from: pass.y0, to: height, by: pass.dy) {
                raw.append(0)  // filter type None
                raw += packRow(xs.flatMap { x in (0..<channels).map { sample(x, y, $0) } })
            }
        }
        var header = bigEndian32(width) + bigEndian32(height)
        header += [UInt8(bitDepth), colorType, 0, 0, interlaced ? 1 : 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        for extra in chunksBeforeData { file += chunk(extra.type, extra.data) }
        file += chunk("IDAT", zlibStored(raw))
        for extra in chunksAfterData { file += chunk(extra.type, extra.data) }
        file += chunk("IEND", [])
        return file
    }

    private func packRow(_ samples: [Int]) -> [UInt8] {
        switch bitDepth {
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return samples.map { UInt8($0) }
        default:
            let perByte = 8 / bitDepth
            return stride(from: 0, to: samples.count, by: perByte).map { start in
                var byte = 0
                for k in 0..<perByte {
                    let value = start + k < samples.count ? samples[start + k] : 0
                    byte |= value << (8 - bitDepth * (k + 1))
                }
                return UInt8(byte)
            }
        }
    }
}

func bigEndian32(_ value: Int) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(type.utf8) + data
    return bigEndian32(data.count) + typeAndData + bigEndian32(Int(crc32(typeAndData)))
}

func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// A zlib stream of stored (uncompressed) deflate blocks.
func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let count = min(65535, data.count - offset)
        let final: UInt8 = offset + count == data.count ? 1 : 0
        out += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
        out += data[offset..<offset + count]
        offset += count
    } while offset < data.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in data {
        a = (a + UInt32(byte)) % 65521
        b = (b + a) % 65521
    }
    return out + bigEndian32(Int(b << 16 | a))
}

/// A TIFF block holding only an orientation tag, in either byte order.
func exifBlock(orientation: Int, littleEndian: Bool) -> [UInt8] {
    func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
    func u32(_ v: Int) -> [UInt8] { littleEndian ? bigEndian32(v).reversed() : bigEndian32(v) }
    let order: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
    // One IFD entry before the orientation (ImageWidth) so the parser has to walk the directory.
    return order + u16(42) + u32(8) + u16(2)
        + u16(0x0100) + u16(4) + u32(1) + u32(640)
        + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)
        + u32(0)
}
