import SIMDKernels

/// Backward pass (stylegan2.md §6): from dL/d(image) to ws, the noise maps and, for tuning, every
/// synthesis parameter, in one sweep that releases each layer's activations once used.
extension SynthesisNetwork {
    public struct Gradients {
        /// dL/dws, numWs rows (W+; sum the rows for a broadcast w).
        public var ws: [[Float]]
        /// dL/d(noise map) per conv layer in `layers` order, [r][r]; nil where no noise was added.
        public var noise: [[Float]?]
        /// dL/d(every synthesis parameter) in the network's own layout; nil unless asked for.
        public var parameters: SynthesisNetwork?
    }

    /// dImage is [R][R][3] NHWC. `parameters` false skips the parameter gradients (projection).
    public func backward(_ trace: consuming Trace, dImage: [Float], parameters: Bool) -> Gradients {
        precondition(trace.layers.count == layers.count, "backward needs a trace kept with keep: true")
        // With parameters, the network itself serves as the gradient's shape: each layer, then the const,
        // replaces every one of its tensors by its gradient (no zero-filled accumulator to add into).
        var grads = Gradients(ws: trace.ws.map { zeros($0) }, noise: Array(repeating: nil, count: layers.count),
                              parameters: parameters ? self : nil)
        var dImg = dImage, dx: FeatureMap? = nil
        var index = layers.count - 1
        for b in blocks.indices.reversed() {
            let block = blocks[b]
            let rgbInput = trace.layers[index].output
            let rgb = block.toRGB.backward(dImg, input: rgbInput, trace.toRGBs.removeLast(), w: trace.ws[index + 1],
                                           clamp: convClamp, parameters: parameters)
            if let rgbGrads = rgb.parameters { grads.parameters!.blocks[b].toRGB = rgbGrads }
            add(rgb.dw, to: &grads.ws[index + 1])
            var g = rgb.dx
            if let dx { add(dx.values, to: &g.values) }
            for conv in [1, 0] {
                guard let layer = conv == 1 ? block.conv1 : block.conv0 else { continue }
                let saved = trace.layers.removeLast()
                let input = index > 0 ? trace.layers[index - 1].output : trace.constMap
                let back = layer.backward(g, input: input, saved, w: trace.ws[index], clamp: convClamp,
                                          parameters: parameters)
                if let layerGrads = back.parameters {
                    if conv == 1 { grads.parameters!.blocks[b].conv1 = layerGrads } else { grads.parameters!.blocks[b].conv0 = layerGrads }
                }
                add(back.dw, to: &grads.ws[index])
                grads.noise[index] = back.dNoise
                g = back.dx
                index -= 1
            }
            dx = g
            if b > 0 { dImg = Upfirdn2D.upsample2d.adjoint(dImg, inputSize: block.resolution / 2, channels: 3) }
        }
        if let dx, parameters {
            let c = const.count / 16
            grads.parameters!.const = (0..<const.count).map { dx.values[$0 % 16 * c + $0 / 16] }
        }
        return grads
    }
}
