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

    /// The conv layers' weights prepared once for many projector steps: see `forward(ws:noise:keep:frozen:)`.
    public struct FrozenWeights: Sendable {
        let layers: [FrozenLayerWeights]
    }

    /// For a caller that runs many steps on these synthesis weights without changing them (the projector).
    /// Valid only as long as the conv weights stay as they are now; the noise maps may change.
    public func frozenWeights() -> FrozenWeights { FrozenWeights(layers: layers.map { $0.frozenWeights() }) }

    /// ws: numWs rows of wDim floats. With `keep` false only the image is kept (rendering).
    /// With `frozen` (from this network's `frozenWeights()`), the conv layers take the non-fused form on the
    /// prepared weights: the same result up to float rounding, without re-packing the modulated weights, and
    /// the trace's backward pass then computes no parameter gradients.
    public func forward(ws: [[Float]], noise: NoiseMode = .const, keep: Bool = true,
                        frozen: FrozenWeights? = nil) -> Trace {
        precondition(ws.count == numWs && ws.allSatisfy { $0.count == wDim }, "ws must be [\(numWs)][\(wDim)]")
        var trace = Trace(ws: ws, constMap: constMap, layers: [], toRGBs: [], blockImages: [])
        var x = trace.constMap, index = 0
        for block in blocks {
            for layer in [block.conv0, block.conv1].compactMap({ $0 }) {
                let noiseMap = layer.noiseMap(noise, layerIndex: index)
                let saved = frozen.map {
                    layer.forward(x, w: ws[index], noise: noiseMap, clamp: convClamp, frozen: $0.layers[index])
                } ?? layer.forward(x, w: ws[index], noise: noiseMap, clamp: convClamp, keep: keep)
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
