import SIMDKernels

/// Forward pass, optionally keeping what the backward pass needs.
extension SynthesisNetwork {
    /// Activations of one forward pass. Layer i's input is layer i−1's output (the const map for i = 0).
    public struct Trace {
        public let ws: [[Float]]
        var constMap: FeatureMap
        var layers: [SynthesisLayer.Saved]
        var toRGBs: [ToRGBLayer.Saved]
        /// Skip image after each block, [r][r][3] NHWC.
        public var blockImages: [[Float]]
        /// The output image, [R][R][3] NHWC, nominal range [−1, 1], not clamped.
        public var image: [Float] { blockImages.last! }

        /// Block b's feature output (after conv1), [r][r][C] NHWC. Needs a trace kept for backward.
        public func blockFeatures(_ block: Int) -> [Float] { layers[2 * block].output.values }
    }

    /// ws: numWs rows of wDim floats. With `keep` false only the image is kept (rendering).
    public func forward(ws: [[Float]], noise: NoiseMode = .const, keep: Bool = true) -> Trace {
        precondition(ws.count == numWs && ws.allSatisfy { $0.count == wDim }, "ws must be [\(numWs)][\(wDim)]")
        var trace = Trace(ws: ws, constMap: constMap, layers: [], toRGBs: [], blockImages: [])
        var x = trace.constMap, index = 0
        for block in blocks {
            for layer in [block.conv0, block.conv1].compactMap({ $0 }) {
                let saved = layer.forward(x, w: ws[index], noise: layer.noiseMap(noise, layerIndex: index),
                                          clamp: convClamp)
                x = saved.output
                index += 1
                if keep { trace.layers.append(saved) }
            }
            let rgb = block.toRGB.forward(x, w: ws[index], clamp: convClamp)
            var img = rgb.output
            if let previous = trace.blockImages.last {
                add(Upfirdn2D.upsample2d.apply(previous, size: block.resolution / 2, channels: 3), to: &img)
            }
            if keep { trace.toRGBs.append(rgb) } else { trace.blockImages.removeAll() }
            trace.blockImages.append(img)
        }
        return trace
    }
}
