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
        let chunk = Self.pixelsPerChunk
        Parallel.forEach((shape.pixels + chunk - 1) / chunk) { k in
            for n in 0..<shape.batch {
                for p in (k * chunk)..<min(shape.pixels, (k + 1) * chunk) {
                    let offset = (n * shape.pixels + p) * shape.channels
                    visitChannels(x + offset, image: n, pixel: p, channels: shape.channels, operands) { c, lanes, _, y, _ in
                        y.store(to: output + offset + c, count: lanes)
                    }
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
        let strength = operands.noiseStrength
        let reduced = Parallel.sumOfPartials(chunks: (shape.pixels + chunk - 1) / chunk, width: partialWidth) { k, scaleSums in
            let biasSums = scaleSums + shape.batch * channels
            for n in 0..<shape.batch {
                for p in (k * chunk)..<min(shape.pixels, (k + 1) * chunk) {
                    let offset = (n * shape.pixels + p) * channels
                    var noiseSum = SIMD8<Float>()
                    visitChannels(x + offset, image: n, pixel: p, channels: channels, operands) { c, lanes, xv, _, slope in
                        let g = SIMD8<Float>(loading: gradOutput + offset + c, count: lanes) * slope
                        noiseSum += g
                        let scale = operands.scale.map { SIMD8<Float>(loading: $0 + n * channels + c, count: lanes) }
                        if let dx = gradients.input { (scale.map { g * $0 } ?? g).store(to: dx + offset + c, count: lanes) }
                        let sums = scaleSums + n * channels + c
                        SIMD8<Float>(loading: sums, count: lanes).addingProduct(g, xv).store(to: sums, count: lanes)
                        (SIMD8<Float>(loading: biasSums + c, count: lanes) + g).store(to: biasSums + c, count: lanes)
                    }
                    guard let noise = operands.noise else { continue }
                    let total = noiseSum.sum()
                    let noiseIndex = n * operands.noiseImageStride + p
                    scaleSums[partialWidth - 1] += total * noise[noiseIndex]
                    if let dNoise = gradients.noise {
                        // Shared noise: images n > 0 add to the same pixel, written by this same chunk.
                        let previous = n > 0 && operands.noiseImageStride == 0 ? dNoise[noiseIndex] : 0
                        dNoise[noiseIndex] = previous + total * strength
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

    /// For each block of up to 8 channels of one pixel: `visit(first channel, lanes, x, y, dy/dv_pre factor)`,
    /// where the factor is `gain · act'(v_pre)` inside the clamp range and 0 outside.
    @inline(__always)
    private func visitChannels(_ x: UnsafePointer<Float>, image n: Int, pixel p: Int, channels: Int,
                               _ operands: Operands,
                               _ visit: (Int, Int, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> Void) {
        let noiseTerm = operands.noise.map { $0[n * operands.noiseImageStride + p] * operands.noiseStrength } ?? 0
        let gain = SIMD8<Float>(repeating: gain)
        let limit = SIMD8<Float>(repeating: clamp ?? .infinity)
        for c in stride(from: 0, to: channels, by: 8) {
            let lanes = min(8, channels - c)
            let xv = SIMD8<Float>(loading: x + c, count: lanes)
            var v = SIMD8<Float>(repeating: noiseTerm)
            if let scale = operands.scale {
                v = v.addingProduct(xv, SIMD8<Float>(loading: scale + n * channels + c, count: lanes))
            } else {
                v += xv
            }
            if let bias = operands.bias { v += SIMD8<Float>(loading: bias + c, count: lanes) }
            var slope = gain
            if activation == .leakyReLU {
                let negative = v .<= 0
                slope.replace(with: gain * 0.2, where: negative)
                v.replace(with: v * 0.2, where: negative)
            }
            v *= gain
            slope.replace(with: 0, where: (v .< -limit) .| (v .> limit))
            visit(c, lanes, xv, pointwiseMin(pointwiseMax(v, -limit), limit), slope)
        }
    }
}
