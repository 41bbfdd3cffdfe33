/// The synthesis network (stylegan2.md §5.1–5.2), forward with a trace and backward to ws and every
/// synthesis parameter and noise map.
extension ReferenceGenerator {
    public struct BlockOutput {
        public var resolution: Int
        public var x: [Double]     // [C(r)][r][r] after conv1
        public var img: [Double]   // [3][r][r] skip image after this block
    }

    public struct Trace {
        public var blocks: [BlockOutput]
        public var img: [Double] { blocks.last!.img }
        var layers: [LayerState]
        var toRGBs: [ToRGBState]
    }

    /// ws: numWs rows of wDim. Returns every block's output and the saved state for `backward`.
    public func synthesis(ws: [[Double]], noise: NoiseMode = .const) -> Trace {
        var layers: [LayerState] = [], toRGBs: [ToRGBState] = [], blocks: [BlockOutput] = []
        var x = tensor("synthesis.b4.const"), img: [Double] = []
        for r in config.blockResolutions {
            let block = "synthesis.b\(r)"
            if r == 4 {
                layers.append(layerForward("\(block).conv1", x, w: ws[0], up: false, inputSize: 4, noise: noise))
            } else {
                let slot = 2 * log2(r) - 5
                layers.append(layerForward("\(block).conv0", x, w: ws[slot], up: true, inputSize: r / 2, noise: noise))
                layers.append(layerForward("\(block).conv1", layers.last!.act.output, w: ws[slot + 1], up: false,
                                           inputSize: r, noise: noise))
            }
            x = layers.last!.act.output
            let rgbSlot = r == 4 ? 1 : 2 * log2(r) - 3
            toRGBs.append(toRGBForward("\(block).torgb", x, w: ws[rgbSlot], size: r))
            let rgb = toRGBs.last!.act.output
            img = r == 4 ? rgb : zip(upsampleForward(img, channels: 3, size: r / 2), rgb).map { $0 + $1 }
            blocks.append(BlockOutput(resolution: r, x: x, img: img))
        }
        return Trace(blocks: blocks, layers: layers, toRGBs: toRGBs)
    }

    public struct Gradients {
        /// dL/dws, numWs rows (W+ form).
        public var ws: [[Double]]
        /// dL/d(parameter or noise_const) under state_dict names, e.g. `synthesis.b8.conv0.noise_const`.
        public var tensors: [String: [Double]]
    }

    /// Backward of L = Σ img·dImg through the trace of `synthesis`.
    public func backward(_ trace: Trace, dImg: [Double]) -> Gradients {
        var grads: [String: [Double]] = [:]
        var dws = [[Double]](repeating: [Double](repeating: 0, count: config.wDim), count: config.numWs)
        func addW(_ slot: Int, _ g: [Double]) { for k in g.indices { dws[slot][k] += g[k] } }
        var layerIndex = trace.layers.count - 1
        var dimg = dImg, dx: [Double]? = nil
        for (index, r) in config.blockResolutions.enumerated().reversed() {
            let rgb = toRGBBackward(dimg, trace.toRGBs[index], grads: &grads)
            addW(r == 4 ? 1 : 2 * log2(r) - 3, rgb.dw)
            var g = dx.map { zip($0, rgb.dx).map { $0 + $1 } } ?? rgb.dx
            let convs = r == 4 ? [0] : [1, 0]   // conv1 then conv0, offsets from the block's first slot
            let firstSlot = r == 4 ? 0 : 2 * log2(r) - 5
            for offset in convs {
                let back = layerBackward(g, trace.layers[layerIndex], grads: &grads)
                layerIndex -= 1
                addW(firstSlot + offset, back.dw)
                g = back.dx
            }
            dx = g
            if r > 4 { dimg = upsampleBackward(dimg, channels: 3, size: r / 2) }
        }
        grads["synthesis.b4.const"] = dx
        return Gradients(ws: dws, tensors: grads)
    }
}
