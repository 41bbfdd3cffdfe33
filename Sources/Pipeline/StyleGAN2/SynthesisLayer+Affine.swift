/// The style affine shared by SynthesisLayer and ToRGBLayer: a linear FC, lr 1, gain 1/√wDim (§3.1).
protocol StyleAffine {
    var affineWeight: [Float] { get }
    var affineBias: [Float] { get }
}

extension StyleAffine {
    /// s[i] = Σ_j w[j]·A[i,j]/√wDim + b[i]
    func affine(_ w: [Float]) -> [Float] {
        let gain = Float(1 / Double(w.count).squareRoot())
        return affineWeight.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { w in
                (0..<affineBias.count).map { i in dot(a.baseAddress! + i * w.count, w.baseAddress!, w.count) * gain + affineBias[i] }
            }
        }
    }

    /// Backward of `affine`: dL/dw, and the affine weight gradient (empty unless `parameters`); the bias
    /// gradient is `ds` itself.
    func affineBackward(_ ds: [Float], w: [Float], parameters: Bool) -> (dw: [Float], dWeight: [Float]) {
        let gain = Float(1 / Double(w.count).squareRoot())
        var dw = [Float](repeating: 0, count: w.count)
        var dWeight = [Float](repeating: 0, count: parameters ? affineWeight.count : 0)
        affineWeight.withUnsafeBufferPointer { a in
            for i in ds.indices {
                let g = ds[i] * gain
                for j in w.indices { dw[j] += g * a[i * w.count + j] }
                if parameters { for j in w.indices { dWeight[i * w.count + j] = g * w[j] } }
            }
        }
        return (dw, dWeight)
    }
}

extension SynthesisLayer: StyleAffine {}

/// Σ a[k]·b[k] for k < n, accumulated in Float in eight lanes.
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), k = 0
    while k + 8 <= n {
        acc.addProduct(UnsafeRawPointer(a + k).loadUnaligned(as: SIMD8<Float>.self),
                       UnsafeRawPointer(b + k).loadUnaligned(as: SIMD8<Float>.self))
        k += 8
    }
    var s = acc.sum()
    while k < n { s += a[k] * b[k]; k += 1 }
    return s
}
