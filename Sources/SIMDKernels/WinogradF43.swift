/// The three 1-D transforms of Winograd's minimal filtering algorithm F(4, 3) (Lavin & Gray 2016, with the
/// interpolation points 0, ±1, ±2, ∞), applied to eight channels at once. A 2-D transform is the 1-D one on
/// every row, then on every column.
///
/// A 3×3 correlation producing a 4×4 block of outputs from a 6×6 window d of the input is
///   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
/// 36 multiplies per channel pair instead of 144. Its transpose gives the kernel's gradient from the block's
/// output gradient dY: ∂L/∂g = Gᵀ [ (Bᵀ d B) ⊙ (A dY Aᵀ) ] G, with two more 1-D transforms, A and Gᵀ.
/// The matrices (rows listed):
///   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
///   G  = [1/4 0 0; −1/6 −1/6 −1/6; −1/6 1/6 −1/6; 1/24 1/12 1/6; 1/24 −1/12 1/6; 0 0 1]
///   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
enum WinogradF43 {
    typealias Lanes = SIMD8<Float>

    /// Window size and tile (output block) size.
    static let window = 6
    static let tile = 4
    /// Transformed points per tile: one GEMM each.
    static let points = 36

    /// x ← Bᵀ·x for the six values x[0], x[stride], …, x[5·stride].
    @inline(__always)
    static func transformInput(_ x: UnsafeMutablePointer<Lanes>, stride s: Int) {
        let x0 = x[0], x1 = x[s], x2 = x[2 &* s], x3 = x[3 &* s], x4 = x[4 &* s], x5 = x[5 &* s]
        let four = Lanes(repeating: 4), five = Lanes(repeating: 5), two = Lanes(repeating: 2)
        let a = x4 - four * x2, b = x3 - four * x1      // shared by rows 1 and 2
        let c = x4 - x2, d = two * (x3 - x1)            // shared by rows 3 and 4
        x[0] = (four * x0 - five * x2) + x4
        x[s] = a + b
        x[2 &* s] = a - b
        x[3 &* s] = c + d
        x[4 &* s] = c - d
        x[5 &* s] = (four * x1 - five * x3) + x5
    }

    /// u[0], u[stride], …, u[5·stride] ← G·(g0, g1, g2).
    @inline(__always)
    static func transformWeight(_ g0: Lanes, _ g1: Lanes, _ g2: Lanes, into u: UnsafeMutablePointer<Lanes>, stride s: Int) {
        let sixth = Lanes(repeating: 1.0 / 6), twelfth = Lanes(repeating: 1.0 / 12), quarter = Lanes(repeating: 0.25)
        let even = g0 + g2, middle = sixth * (quarter * g0 + g2), odd = twelfth * g1
        u[0] = quarter * g0
        u[s] = -sixth * (even + g1)
        u[2 &* s] = -sixth * (even - g1)
        u[3 &* s] = middle + odd
        u[4 &* s] = middle - odd
        u[5 &* s] = g2
    }

    /// (y0…y3) = Aᵀ·(m0…m5).
    @inline(__always)
    static func transformOutput(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes, _ m5: Lanes)
        -> (Lanes, Lanes, Lanes, Lanes) {
        let sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4
        let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
        return (m0 + sum12 + sum34,
                diff12 + two * diff34,
                sum12 + four * sum34,
                diff12 + eight * diff34 + m5)
    }

    /// x[0], x[stride], …, x[5·stride] ← A·(y0…y3), A the 6×4 transpose of Aᵀ: the output transform's adjoint.
    @inline(__always)
    static func transformOutputGradient(_ y0: Lanes, _ y1: Lanes, _ y2: Lanes, _ y3: Lanes,
                                        into x: UnsafeMutablePointer<Lanes>, stride s: Int) {
        let two = Lanes(repeating: 2), four = Lanes(repeating: 4), eight = Lanes(repeating: 8)
        let even = y0 + y2, odd = y1 + y3                               // rows 1 and 2
        let evenWide = y0 + four * y2, oddWide = two * y1 + eight * y3  // rows 3 and 4
        x[0] = y0
        x[s] = even + odd
        x[2 &* s] = even - odd
        x[3 &* s] = evenWide + oddWide
        x[4 &* s] = evenWide - oddWide
        x[5 &* s] = y3
    }

    /// (g0, g1, g2) = Gᵀ·(m0…m5): the weight transform's adjoint.
    @inline(__always)
    static func transformProducts(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes, _ m5: Lanes)
        -> (Lanes, Lanes, Lanes) {
        let sixth = Lanes(repeating: 1.0 / 6), twelfth = Lanes(repeating: 1.0 / 12)
        let quarter = Lanes(repeating: 0.25), twentyFourth = Lanes(repeating: 1.0 / 24)
        let sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4
        return (quarter * m0 - sixth * sum12 + twentyFourth * sum34,
                twelfth * diff34 - sixth * diff12,
                sixth * (sum34 - sum12) + m5)
    }
}
