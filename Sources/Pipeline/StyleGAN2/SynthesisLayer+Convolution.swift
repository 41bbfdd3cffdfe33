import SIMDKernels

/// The convolutions of a SynthesisLayer as tap-by-tap GEMMs over the padded grid (kernels.md §5.1 (b),
/// §5.4, §6), forward next to backward. B for tap t is `packed[t]`, [inputs][outputs].
extension SynthesisLayer {
    /// conv1: 3×3 correlation, padding 1. Output halo is zero, interior holds the raw convolution.
    func convolve(_ x: FeatureMap, _ m: ModulatedWeight) -> FeatureMap {
        var y = FeatureMap(size: x.size, channels: outputs)
        let yInterior = y.interior
        x.values.withUnsafeBufferPointer { xp in
            m.packed.withUnsafeBufferPointer { wp in
                y.values.withUnsafeMutableBufferPointer { yp in
                    for tap in 0..<9 {
                        let shift = ((tap / 3) * x.stride + tap % 3) * inputs
                        sgemm(.none, .none, m: x.gridRows, n: outputs, k: inputs, alpha: 1,
                              a: xp.baseAddress! + shift, lda: inputs,
                              b: wp.baseAddress! + tap * inputs * outputs, ldb: outputs,
                              beta: tap == 0 ? 0 : 1, c: yp.baseAddress! + yInterior, ldc: outputs)
                    }
                }
            }
        }
        y.zeroHalo()
        return y
    }

    /// Returns dL/dx (zero halo) and dL/dw2 (packed layout). `dy` must have a zero halo.
    func convolveBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        var dx = FeatureMap(size: x.size, channels: inputs)
        let dxInterior = dx.interior
        var dw = [Float](repeating: 0, count: m.packed.count)
        x.values.withUnsafeBufferPointer { xp in
            dy.values.withUnsafeBufferPointer { gp in
                m.packed.withUnsafeBufferPointer { wp in
                    dx.values.withUnsafeMutableBufferPointer { dxp in
                        dw.withUnsafeMutableBufferPointer { dwp in
                            for tap in 0..<9 {
                                let (a, b) = (tap / 3, tap % 3)
                                // dx[q] += dy[q + (2−a)·stride + (2−b)] · w2ᵀ  (the flipped-tap correlation)
                                sgemm(.none, .transposed, m: x.gridRows, n: inputs, k: outputs, alpha: 1,
                                      a: gp.baseAddress! + ((2 - a) * x.stride + 2 - b) * outputs, lda: outputs,
                                      b: wp.baseAddress! + tap * inputs * outputs, ldb: outputs,
                                      beta: tap == 0 ? 0 : 1, c: dxp.baseAddress! + dxInterior, ldc: inputs)
                                // dw2[tap] = Σ_grid x[p + shift]ᵀ · dy[p]  (dy is zero on the discarded columns)
                                sgemm(.transposed, .none, m: inputs, n: outputs, k: x.gridRows, alpha: 1,
                                      a: xp.baseAddress! + (a * x.stride + b) * inputs, lda: inputs,
                                      b: gp.baseAddress! + dy.interior, ldb: outputs,
                                      beta: 0, c: dwp.baseAddress! + tap * inputs * outputs, ldc: outputs)
                            }
                        }
                    }
                }
            }
        }
        dx.zeroHalo()
        return (dx, dw)
    }

    /// conv0: transposed conv, stride 2, unflipped weight (n → 2n+1, t[2p+a, 2q+b] += x[p,q]·w2[a,b]),
    /// then the [1,3,3,1] blur (2n+1 → 2n). Returns the blurred map (unpadded layout inside a FeatureMap).
    func convolveUp(_ x: FeatureMap, _ m: ModulatedWeight) -> FeatureMap {
        let n = x.size, tSize = 2 * n + 1
        var t = [Float](repeating: 0, count: tSize * tSize * outputs)
        var z = [Float](repeating: 0, count: x.gridRows * outputs)
        for tap in 0..<9 {
            x.values.withUnsafeBufferPointer { xp in
                m.packed.withUnsafeBufferPointer { wp in
                    z.withUnsafeMutableBufferPointer { zp in
                        sgemm(.none, .none, m: x.gridRows, n: outputs, k: inputs, alpha: 1,
                              a: xp.baseAddress! + x.interior, lda: inputs,
                              b: wp.baseAddress! + tap * inputs * outputs, ldb: outputs,
                              beta: 0, c: zp.baseAddress!, ldc: outputs)
                    }
                }
            }
            let (a, b) = (tap / 3, tap % 3)
            for p in 0..<n { for q in 0..<n {
                let src = (p * x.stride + q) * outputs, dst = ((2 * p + a) * tSize + 2 * q + b) * outputs
                for o in 0..<outputs { t[dst + o] += z[src + o] }
            } }
        }
        return FeatureMap(unpadded: StyleGAN2Resampling.blur(t, outSize: 2 * n, channels: outputs),
                          size: 2 * n, channels: outputs)
    }

    /// Backward of `convolveUp`: blur adjoint (2n → 2n+1), then per tap the stride-2 gather of that gradient
    /// multiplies w2ᵀ into dx and xᵀ into dw2.
    func convolveUpBackward(_ dy: FeatureMap, input x: FeatureMap, _ m: ModulatedWeight) -> (FeatureMap, [Float]) {
        let n = x.size, tSize = 2 * n + 1
        let dt = StyleGAN2Resampling.blurBackward(dy.unpadded(), outSize: 2 * n, channels: outputs)
        var dx = FeatureMap(size: n, channels: inputs)
        let dxInterior = dx.interior
        var dw = [Float](repeating: 0, count: m.packed.count)
        var g = [Float](repeating: 0, count: x.gridRows * outputs)   // discarded grid columns stay zero
        for tap in 0..<9 {
            let (a, b) = (tap / 3, tap % 3)
            for p in 0..<n { for q in 0..<n {
                let dst = (p * x.stride + q) * outputs, src = ((2 * p + a) * tSize + 2 * q + b) * outputs
                for o in 0..<outputs { g[dst + o] = dt[src + o] }
            } }
            x.values.withUnsafeBufferPointer { xp in
                g.withUnsafeBufferPointer { gp in
                    m.packed.withUnsafeBufferPointer { wp in
                        dx.values.withUnsafeMutableBufferPointer { dxp in
                            dw.withUnsafeMutableBufferPointer { dwp in
                                sgemm(.none, .transposed, m: x.gridRows, n: inputs, k: outputs, alpha: 1,
                                      a: gp.baseAddress!, lda: outputs,
                                      b: wp.baseAddress! + tap * inputs * outputs, ldb: outputs,
                                      beta: tap == 0 ? 0 : 1, c: dxp.baseAddress! + dxInterior, ldc: inputs)
                                sgemm(.transposed, .none, m: inputs, n: outputs, k: x.gridRows, alpha: 1,
                                      a: xp.baseAddress! + x.interior, lda: inputs,
                                      b: gp.baseAddress!, ldb: outputs,
                                      beta: 0, c: dwp.baseAddress! + tap * inputs * outputs, ldc: outputs)
                            }
                        }
                    }
                }
            }
        }
        dx.zeroHalo()
        return (dx, dw)
    }
}

extension FeatureMap {
    /// A padded map holding an unpadded [size][size][channels] image.
    init(unpadded v: [Float], size: Int, channels: Int) {
        self.init(size: size, channels: channels)
        for h in 0..<size {
            let dst = offset(h, 0), src = h * size * channels
            for i in 0..<(size * channels) { values[dst + i] = v[src + i] }
        }
    }

    /// The interior as an unpadded [size][size][channels] image.
    func unpadded() -> [Float] {
        var v = [Float](repeating: 0, count: size * size * channels)
        for h in 0..<size {
            let src = offset(h, 0), dst = h * size * channels
            for i in 0..<(size * channels) { v[dst + i] = values[src + i] }
        }
        return v
    }
}
