/// The fused elementwise epilogue of a StyleGAN2 layer (kernels.md §5.3, stylegan2.md §3.2), one pass over
/// NHWC memory. For image n, pixel p, channel c:
///
///     v_pre = x·scale[n][c] + noise[p]·noiseStrength + bias[c]     (each term only when given)
///     y     = clamp(act(v_pre)·gain, −clamp, clamp)                (clamp only when given)
///
/// with act = leaky ReLU (slope 0.2; `v > 0 ? v : 0.2·v`) or identity. The order is NVlabs': `x·d + noise`
/// (non-fused modulated conv), then `bias_act` = add bias, act, gain, clamp.
///
/// Backward recomputes `v_pre` from the epilogue's **input `x`** and the same operands, so the caller
/// keeps `x` (the convolution output before the epilogue), not `y` or a mask. The gradient follows the
/// PyTorch reference (CPU) path: it passes where `−clamp ≤ act(v_pre)·gain ≤ clamp` (inclusive), and the
/// leaky-ReLU slope at exactly 0 is 0.2.
///
/// Plain per-channel scaling (modulating a conv's input by its styles) is `BiasAct.linear` with only
/// `scale` set: `y = x·scale[n][c]`, backward `dx = dy·scale`, `dscale[n][c] = Σ_p dy·x`.
public struct BiasAct: Sendable {
    public enum Activation: Sendable { case linear, leakyReLU }

    public var activation: Activation
    public var gain: Float
    /// `conv_clamp`; nil for none.
    public var clamp: Float?

    public init(activation: Activation, gain: Float, clamp: Float? = nil) {
        self.activation = activation
        self.gain = gain
        self.clamp = clamp
    }

    /// SynthesisLayer and mapping FC: leaky ReLU, gain √2 (float64 √2 rounded once, as PyTorch does).
    public static func leakyReLU(clamp: Float? = nil) -> BiasAct {
        BiasAct(activation: .leakyReLU, gain: Float(2.0.squareRoot()), clamp: clamp)
    }

    /// ToRGB (and plain scaling/bias): identity, gain 1.
    public static func linear(clamp: Float? = nil) -> BiasAct { BiasAct(activation: .linear, gain: 1, clamp: clamp) }

    /// The per-tensor operands; every one is optional.
    public struct Operands {
        /// `[N][C]`: per image and channel multiplier of x (demodulation coefficients, or styles).
        public var scale: UnsafePointer<Float>?
        /// `[C]`.
        public var bias: UnsafePointer<Float>?
        /// Per-pixel noise, `[H·W]` shared by the batch (noise_mode 'const'); with `noiseImageStride == H·W`,
        /// `[N][H·W]`, one map per image.
        public var noise: UnsafePointer<Float>?
        public var noiseImageStride: Int
        public var noiseStrength: Float

        public init(scale: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil,
                    noise: UnsafePointer<Float>? = nil, noiseImageStride: Int = 0, noiseStrength: Float = 1) {
            self.scale = scale
            self.bias = bias
            self.noise = noise
            self.noiseImageStride = noiseImageStride
            self.noiseStrength = noiseStrength
        }
    }

    /// Where backward writes; each gradient is overwritten. A nil destination, or an operand that was not
    /// given (no scale, no bias, no noise), skips that gradient.
    public struct Gradients {
        /// dL/dx, shape of x. May be the same memory as `gradOutput`.
        public var input: UnsafeMutablePointer<Float>?
        /// `[N][C]`.
        public var scale: UnsafeMutablePointer<Float>?
        /// `[C]`.
        public var bias: UnsafeMutablePointer<Float>?
        /// Shaped like the noise operand (`[H·W]` summed over the batch, or `[N][H·W]`).
        public var noise: UnsafeMutablePointer<Float>?
        /// One float.
        public var noiseStrength: UnsafeMutablePointer<Float>?

        public init(input: UnsafeMutablePointer<Float>? = nil, scale: UnsafeMutablePointer<Float>? = nil,
                    bias: UnsafeMutablePointer<Float>? = nil, noise: UnsafeMutablePointer<Float>? = nil,
                    noiseStrength: UnsafeMutablePointer<Float>? = nil) {
            self.input = input
            self.scale = scale
            self.bias = bias
            self.noise = noise
            self.noiseStrength = noiseStrength
        }
    }

    /// `output` may be `x` itself (in place).
    public func forward(_ x: UnsafePointer<Float>, shape: NHWCShape, operands: Operands,
                        output: UnsafeMutablePointer<Float>) {
        let channels = shape.channels, chunk = Self.pixelsPerChunk
        Parallel.forEach((shape.pixels + chunk - 1) / chunk) { k in
            for n in 0..<shape.batch {
                let scale = operands.scale.map { $0 + n * channels }
                for p in (k * chunk)..<min(shape.pixels, (k + 1) * chunk) {
                    let offset = (n * shape.pixels + p) * channels
                    forwardPixel(x + offset, scale: scale, bias: operands.bias,
                                 noiseTerm: operands.noiseTerm(image: n, pixel: p), channels: channels,
                                 output: output + offset)
                }
            }
        }
    }

    /// Gradients of the epilogue given its input `x` and `gradOutput` = dL/dy.
    public func backward(_ x: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, shape: NHWCShape,
                         operands: Operands, gradients: Gradients) {
        let channels = shape.channels, chunk = Self.pixelsPerChunk
        // Per-chunk partial sums of dscale [N][C], dbias [C] and dstrength.
        let partialWidth = shape.batch * channels + channels + 1
        let reduced = Parallel.sumOfPartials(chunks: (shape.pixels + chunk - 1) / chunk, width: partialWidth) { k, partials in
            for n in 0..<shape.batch {
                let scale = operands.scale.map { $0 + n * channels }
                for p in (k * chunk)..<min(shape.pixels, (k + 1) * chunk) {
                    let offset = (n * shape.pixels + p) * channels
                    let total = backwardPixel(x + offset, gradOutput: gradOutput + offset, scale: scale,
                                              bias: operands.bias, noiseTerm: operands.noiseTerm(image: n, pixel: p),
                                              channels: channels, gradInput: gradients.input.map { $0 + offset },
                                              scaleSums: partials + n * channels,
                                              biasSums: partials + shape.batch * channels)
                    guard let noise = operands.noise else { continue }
                    let noiseIndex = n * operands.noiseImageStride + p
                    partials[partialWidth - 1] += total * noise[noiseIndex]
                    if let dNoise = gradients.noise {
                        // Shared noise: images n > 0 add to the same pixel, written by this same chunk.
                        let previous = n > 0 && operands.noiseImageStride == 0 ? dNoise[noiseIndex] : 0
                        dNoise[noiseIndex] = previous + total * operands.noiseStrength
                    }
                }
            }
        }
        if let dScale = gradients.scale, operands.scale != nil {
            for j in 0..<(shape.batch * channels) { dScale[j] = Float(reduced[j]) }
        }
        if let dBias = gradients.bias, operands.bias != nil {
            for c in 0..<channels { dBias[c] = Float(reduced[shape.batch * channels + c]) }
        }
        if let dStrength = gradients.noiseStrength, operands.noise != nil { dStrength.pointee = Float(reduced[partialWidth - 1]) }
    }

    /// Pixels per work item: small enough that per-chunk float partial sums stay accurate.
    private static let pixelsPerChunk = 256

    /// y for one pixel's channels.
    private func forwardPixel(_ x: UnsafePointer<Float>, scale: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                              noiseTerm: Float, channels: Int, output: UnsafeMutablePointer<Float>) {
        forEachBlock(x, scale: scale, bias: bias, noiseTerm: noiseTerm, channels: channels) { c, lanes, _, _, y, _ in
            y.store(to: output + c, count: lanes)
        }
    }

    /// One pixel's backward: writes dx (when asked), adds dy/dv_pre·x and dy/dv_pre to the per-channel sums,
    /// and returns Σ_c dy/dv_pre (the noise's gradient before its strength).
    private func backwardPixel(_ x: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>, scale: UnsafePointer<Float>?,
                               bias: UnsafePointer<Float>?, noiseTerm: Float, channels: Int,
                               gradInput: UnsafeMutablePointer<Float>?, scaleSums: UnsafeMutablePointer<Float>,
                               biasSums: UnsafeMutablePointer<Float>) -> Float {
        var noiseSum = SIMD8<Float>()
        forEachBlock(x, scale: scale, bias: bias, noiseTerm: noiseTerm, channels: channels) { c, lanes, xv, s, _, slope in
            let g = SIMD8<Float>(loading: gradOutput + c, count: lanes) * slope
            noiseSum += g
            if let gradInput { (scale == nil ? g : g * s).store(to: gradInput + c, count: lanes) }
            SIMD8<Float>(loading: scaleSums + c, count: lanes).addingProduct(g, xv).store(to: scaleSums + c, count: lanes)
            (SIMD8<Float>(loading: biasSums + c, count: lanes) + g).store(to: biasSums + c, count: lanes)
        }
        return noiseSum.sum()
    }

    /// The epilogue of one pixel, 8 channels at a time: `visit(first channel, lanes, x, scale, y, slope)` with
    /// slope = dy/dv_pre = `gain · act'(v_pre)` inside the clamp range, 0 outside (scale is 1 when absent).
    @inline(__always)
    private func forEachBlock(_ x: UnsafePointer<Float>, scale: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                              noiseTerm: Float, channels: Int,
                              _ visit: (Int, Int, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> Void) {
        let gain = SIMD8<Float>(repeating: gain)
        @inline(__always) func block(_ c: Int, _ lanes: Int) {
            let xv = SIMD8<Float>(loading: x + c, count: lanes)
            var v = SIMD8<Float>(repeating: noiseTerm), s = SIMD8<Float>(repeating: 1)
            if let scale {
                s = SIMD8(loading: scale + c, count: lanes)
                v = v.addingProduct(xv, s)
            } else {
                v += xv
            }
            if let bias { v += SIMD8<Float>(loading: bias + c, count: lanes) }
            var slope = gain
            if activation == .leakyReLU {
                let negative = v .<= 0
                slope.replace(with: gain * 0.2, where: negative)
                v.replace(with: v * 0.2, where: negative)
            }
            v *= gain
            if let clamp {
                let above = v .> clamp, below = v .< -clamp
                slope.replace(with: 0, where: above .| below)
                v.replace(with: clamp, where: above)
                v.replace(with: -clamp, where: below)
            }
            visit(c, lanes, xv, s, v, slope)
        }
        // Whole vectors with a constant lane count (no partial-load branches in the loop), then the rest.
        let whole = channels - channels % 8
        for c in stride(from: 0, to: whole, by: 8) { block(c, 8) }
        if whole < channels { block(whole, channels - whole) }
    }
}

extension BiasAct.Operands {
    /// `noise[p]·noiseStrength` for image n (0 without noise).
    @inline(__always)
    func noiseTerm(image n: Int, pixel p: Int) -> Float {
        noise.map { $0[n * noiseImageStride + p] * noiseStrength } ?? 0
    }
}
