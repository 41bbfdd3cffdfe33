/// Scalar primitives of the synthesis network, forward next to backward. Feature maps are [C][H][W] flat.

/// Style affine (FC, lr 1, gain 1/√wDim): s[i] = Σ_j w[j]·A[i,j]/√wDim + b[i]  (§3.1).
func affineForward(_ w: [Double], weight: [Double], bias: [Double]) -> [Double] {
    let gain = 1 / Double(w.count).squareRoot()
    return (0..<bias.count).map { i in
        var acc = 0.0
        for j in w.indices { acc += w[j] * weight[i * w.count + j] }
        return acc * gain + bias[i]
    }
}

/// Returns (dw, dweight, dbias) for upstream gradient ds.
func affineBackward(_ ds: [Double], w: [Double], weight: [Double]) -> (dw: [Double], dweight: [Double], dbias: [Double]) {
    let gain = 1 / Double(w.count).squareRoot()
    var dw = [Double](repeating: 0, count: w.count), dweight = [Double](repeating: 0, count: weight.count)
    for i in ds.indices {
        for j in w.indices {
            dw[j] += ds[i] * weight[i * w.count + j] * gain
            dweight[i * w.count + j] = ds[i] * w[j] * gain
        }
    }
    return (dw, dweight, ds)
}

/// Fused modulation/demodulation (§5.4): w1 = W·s[i], d[o] = rsqrt(Σ w1² + 1e-8), w2 = w1·d[o].
struct Modulated {
    var w1: [Double], d: [Double], w2: [Double]
}

func modulateForward(weight: [Double], styles s: [Double], outputs: Int, demodulate: Bool) -> Modulated {
    let inputs = s.count, taps = weight.count / (outputs * inputs)
    var w1 = weight
    for o in 0..<outputs { for i in 0..<inputs { for k in 0..<taps { w1[(o * inputs + i) * taps + k] *= s[i] } } }
    var d = [Double](repeating: 1, count: outputs)
    var w2 = w1
    if demodulate {
        for o in 0..<outputs {
            let row = w1[(o * inputs * taps)..<((o + 1) * inputs * taps)]
            d[o] = 1 / (row.reduce(0) { $0 + $1 * $1 } + 1e-8).squareRoot()
            for k in (o * inputs * taps)..<((o + 1) * inputs * taps) { w2[k] *= d[o] }
        }
    }
    return Modulated(w1: w1, d: d, w2: w2)
}

/// §6 item 5: from G2 = dL/dw2 to (ds, dW).
func modulateBackward(_ g2: [Double], weight: [Double], styles s: [Double], _ m: Modulated,
                      outputs: Int, demodulate: Bool) -> (ds: [Double], dweight: [Double]) {
    let inputs = s.count, taps = weight.count / (outputs * inputs)
    var g1 = g2
    if demodulate {
        for o in 0..<outputs {
            let range = (o * inputs * taps)..<((o + 1) * inputs * taps)
            var t = 0.0
            for k in range { t += g2[k] * m.w1[k] }
            let d = m.d[o]
            for k in range { g1[k] = d * g2[k] - d * d * d * t * m.w1[k] }
        }
    }
    var ds = [Double](repeating: 0, count: inputs), dweight = [Double](repeating: 0, count: weight.count)
    for o in 0..<outputs {
        for i in 0..<inputs {
            for k in 0..<taps {
                let index = (o * inputs + i) * taps + k
                ds[i] += g1[index] * weight[index]
                dweight[index] = g1[index] * s[i]
            }
        }
    }
    return (ds, dweight)
}

/// 3×3 correlation with padding 1: y[o,h,w] = Σ x[i,h+a−1,w+b−1]·k[o,i,a,b].
func conv3x3Forward(_ x: [Double], kernel: [Double], inputs: Int, outputs: Int, size n: Int) -> [Double] {
    var y = [Double](repeating: 0, count: outputs * n * n)
    x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { y in
        for o in 0..<outputs { for i in 0..<inputs { for a in 0..<3 { for b in 0..<3 {
            let k = kernel[((o * inputs + i) * 3 + a) * 3 + b]
            for h in validRows(n, a) {
                let src = (i * n + h + a - 1) * n + b - 1, dst = (o * n + h) * n
                for w in validRows(n, b) { y[dst + w] += x[src + w] * k }
            }
        } } } }
    } }
    return y
}

/// Output positions h in 0..<n whose tap a reads an input inside 0..<n (h + a − 1 in range).
func validRows(_ n: Int, _ a: Int) -> Range<Int> { max(0, 1 - a)..<min(n, n + 1 - a) }

func conv3x3Backward(_ dy: [Double], x: [Double], kernel: [Double], inputs: Int, outputs: Int,
                     size n: Int) -> (dx: [Double], dkernel: [Double]) {
    var dx = [Double](repeating: 0, count: x.count), dk = [Double](repeating: 0, count: kernel.count)
    x.withUnsafeBufferPointer { x in dy.withUnsafeBufferPointer { dy in dx.withUnsafeMutableBufferPointer { dx in
        for o in 0..<outputs { for i in 0..<inputs { for a in 0..<3 { for b in 0..<3 {
            let ki = ((o * inputs + i) * 3 + a) * 3 + b, k = kernel[ki]
            var acc = 0.0
            for h in validRows(n, a) {
                let src = (i * n + h + a - 1) * n + b - 1, dst = (o * n + h) * n
                for w in validRows(n, b) {
                    dx[src + w] += dy[dst + w] * k
                    acc += dy[dst + w] * x[src + w]
                }
            }
            dk[ki] = acc
        } } } }
    } } }
    return (dx, dk)
}

/// conv_transpose2d, stride 2, no padding, unflipped weight (§3.5): t[o,2p+a,2q+b] += x[i,p,q]·k[o,i,a,b];
/// n×n -> (2n+1)×(2n+1).
func transposedConvForward(_ x: [Double], kernel: [Double], inputs: Int, outputs: Int, size n: Int) -> [Double] {
    let m = 2 * n + 1
    var t = [Double](repeating: 0, count: outputs * m * m)
    for o in 0..<outputs { for i in 0..<inputs { for a in 0..<3 { for b in 0..<3 {
        let k = kernel[((o * inputs + i) * 3 + a) * 3 + b]
        for p in 0..<n { for q in 0..<n {
            t[(o * m + 2 * p + a) * m + 2 * q + b] += x[(i * n + p) * n + q] * k
        } }
    } } } }
    return t
}

func transposedConvBackward(_ dt: [Double], x: [Double], kernel: [Double], inputs: Int, outputs: Int,
                            size n: Int) -> (dx: [Double], dkernel: [Double]) {
    let m = 2 * n + 1
    var dx = [Double](repeating: 0, count: x.count), dk = [Double](repeating: 0, count: kernel.count)
    for o in 0..<outputs { for i in 0..<inputs { for a in 0..<3 { for b in 0..<3 {
        let ki = ((o * inputs + i) * 3 + a) * 3 + b
        var acc = 0.0
        for p in 0..<n { for q in 0..<n {
            let g = dt[(o * m + 2 * p + a) * m + 2 * q + b]
            dx[(i * n + p) * n + q] += g * kernel[ki]
            acc += g * x[(i * n + p) * n + q]
        } }
        dk[ki] = acc
    } } } }
    return (dx, dk)
}

/// Per-axis taps [1,3,3,1]/4 (the [1,3,3,1] filter with gain 4 split over two axes).
let firTaps: [Double] = [0.25, 0.75, 0.75, 0.25]

/// Blur after the transposed conv (upfirdn2d pad 1, gain 4): y[m,n] = Σ h[a]h[b]·t[m−1+a, n−1+b],
/// (2n+1)² -> (2n)², t zero outside.
func blurForward(_ t: [Double], channels: Int, outputSize s: Int) -> [Double] {
    let m = s + 1
    var y = [Double](repeating: 0, count: channels * s * s)
    for c in 0..<channels { for u in 0..<s { for v in 0..<s {
        var acc = 0.0
        for a in 0..<4 { let uu = u - 1 + a; guard uu >= 0 && uu < m else { continue }
            for b in 0..<4 { let vv = v - 1 + b; guard vv >= 0 && vv < m else { continue }
                acc += firTaps[a] * firTaps[b] * t[(c * m + uu) * m + vv]
            }
        }
        y[(c * s + u) * s + v] = acc
    } } }
    return y
}

func blurBackward(_ dy: [Double], channels: Int, outputSize s: Int) -> [Double] {
    let m = s + 1
    var dt = [Double](repeating: 0, count: channels * m * m)
    for c in 0..<channels { for u in 0..<s { for v in 0..<s {
        for a in 0..<4 { let uu = u - 1 + a; guard uu >= 0 && uu < m else { continue }
            for b in 0..<4 { let vv = v - 1 + b; guard vv >= 0 && vv < m else { continue }
                dt[(c * m + uu) * m + vv] += firTaps[a] * firTaps[b] * dy[(c * s + u) * s + v]
            }
        }
    } } }
    return dt
}

/// Skip-path upsample2d (up 2, pad [2,1,2,1], gain 4), scatter form: x[k] feeds y[2k−1+a] with h[a]
/// per axis, zero outside (§3.4). n×n -> 2n×2n.
func upsampleForward(_ x: [Double], channels: Int, size n: Int) -> [Double] {
    let s = 2 * n
    var y = [Double](repeating: 0, count: channels * s * s)
    for c in 0..<channels { for p in 0..<n { for q in 0..<n {
        for a in 0..<4 { let u = 2 * p - 1 + a; guard u >= 0 && u < s else { continue }
            for b in 0..<4 { let v = 2 * q - 1 + b; guard v >= 0 && v < s else { continue }
                y[(c * s + u) * s + v] += firTaps[a] * firTaps[b] * x[(c * n + p) * n + q]
            }
        }
    } } }
    return y
}

func upsampleBackward(_ dy: [Double], channels: Int, size n: Int) -> [Double] {
    let s = 2 * n
    var dx = [Double](repeating: 0, count: channels * n * n)
    for c in 0..<channels { for p in 0..<n { for q in 0..<n {
        var acc = 0.0
        for a in 0..<4 { let u = 2 * p - 1 + a; guard u >= 0 && u < s else { continue }
            for b in 0..<4 { let v = 2 * q - 1 + b; guard v >= 0 && v < s else { continue }
                acc += firTaps[a] * firTaps[b] * dy[(c * s + u) * s + v]
            }
        }
        dx[(c * n + p) * n + q] = acc
    } } }
    return dx
}

/// bias_act (§3.2): v = x + b[c]; lrelu (slope 0.2) if `leaky`; ·gain; clamp ±clamp.
struct BiasAct {
    var preActivation: [Double]   // x + b
    var preClamp: [Double]        // act(x + b)·gain
    var output: [Double]
}

func biasActForward(_ x: [Double], bias: [Double], leaky: Bool, clamp: Double?) -> BiasAct {
    let plane = x.count / bias.count
    let gain = leaky ? 2.0.squareRoot() : 1
    let pre = x.indices.map { x[$0] + bias[$0 / plane] }
    let scaled = pre.map { (leaky && $0 <= 0 ? 0.2 * $0 : $0) * gain }
    let out = clamp.map { c in scaled.map { min(max($0, -c), c) } } ?? scaled
    return BiasAct(preActivation: pre, preClamp: scaled, output: out)
}

/// Autograd of the reference path: clamp passes gradient on [−c, c] inclusive; lrelu slope 0.2 at 0.
func biasActBackward(_ dy: [Double], _ state: BiasAct, channels: Int, leaky: Bool,
                     clamp: Double?) -> (dx: [Double], dbias: [Double]) {
    let plane = dy.count / channels
    let gain = leaky ? 2.0.squareRoot() : 1
    var dbias = [Double](repeating: 0, count: channels)
    let dx = dy.indices.map { k -> Double in
        if let c = clamp, abs(state.preClamp[k]) > c { return 0 }
        let slope = leaky && state.preActivation[k] <= 0 ? 0.2 : 1
        return dy[k] * gain * slope
    }
    for k in dx.indices { dbias[k / plane] += dx[k] }
    return (dx, dbias)
}
