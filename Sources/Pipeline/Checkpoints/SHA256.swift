/// SHA-256 (FIPS 180-4), for recording which file a model came from (model store, ModelIdentity). Foundation on Linux has no
/// digest API, so it is written out here; it streams over a buffer without copying it.
public struct SHA256 {
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private static let initialState = SIMD8<UInt32>(0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)

    /// The hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        // One message schedule for the whole digest: allocating it per block cost a third of the time.
        let state = withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            var state = initialState
            let wholeBlocks = bytes.count / 64
            for block in 0..<wholeBlocks {
                compress(&state, UnsafeRawBufferPointer(rebasing: bytes[(block * 64)..<(block * 64 + 64)]), schedule)
            }
            // Padding: 0x80, zeros, then the bit length big-endian, in one or two final blocks.
            var tail = Array(bytes[(wholeBlocks * 64)...])
            tail.append(0x80)
            while tail.count % 64 != 56 { tail.append(0) }
            tail += withUnsafeBytes(of: (UInt64(bytes.count) &* 8).bigEndian) { Array($0) }
            tail.withUnsafeBytes { padded in
                for block in 0..<(padded.count / 64) {
                    compress(&state, UnsafeRawBufferPointer(rebasing: padded[(block * 64)..<(block * 64 + 64)]), schedule)
                }
            }
            return state
        }
        return (0..<8).map { index in
            let text = String(state[index], radix: 16)
            return String(repeating: "0", count: 8 - text.count) + text
        }.joined()
    }

    private static func compress(_ state: inout SIMD8<UInt32>, _ block: UnsafeRawBufferPointer,
                                 _ w: UnsafeMutableBufferPointer<UInt32>) {
        func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        for i in 16..<64 {
            let s0 = rotate(w[i - 15], 7) ^ rotate(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotate(w[i - 2], 17) ^ rotate(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        /// One round with the eight working variables passed in their rotated positions, so that the
        /// rotation costs no moves: only d and h change.
        func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                   _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ k: UInt32, _ w: UInt32) {
            let t1 = h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k &+ w
            let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
            d &+= t1
            h = t1 &+ t2
        }
        roundConstants.withUnsafeBufferPointer { k in
            for i in stride(from: 0, to: 64, by: 8) {
                round(a, b, c, &d, e, f, g, &h, k[i], w[i])
                round(h, a, b, &c, d, e, f, &g, k[i + 1], w[i + 1])
                round(g, h, a, &b, c, d, e, &f, k[i + 2], w[i + 2])
                round(f, g, h, &a, b, c, d, &e, k[i + 3], w[i + 3])
                round(e, f, g, &h, a, b, c, &d, k[i + 4], w[i + 4])
                round(d, e, f, &g, h, a, b, &c, k[i + 5], w[i + 5])
                round(c, d, e, &f, g, h, a, &b, k[i + 6], w[i + 6])
                round(b, c, d, &e, f, g, h, &a, k[i + 7], w[i + 7])
            }
        }
        state &+= SIMD8(a, b, c, d, e, f, g, h)
    }
}
