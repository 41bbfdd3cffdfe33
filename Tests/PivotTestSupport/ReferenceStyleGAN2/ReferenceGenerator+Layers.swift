/// SynthesisLayer and ToRGBLayer (stylegan2.md §5.3–5.5), forward with its saved state, then backward.
extension ReferenceGenerator {
    struct LayerState {
        var name: String
        var input: [Double], w: [Double]
        var inputs: Int, outputs: Int, inputSize: Int, outputSize: Int, up: Bool
        var styles: [Double], modulated: Modulated
        var noise: [Double]?   // noise_const when noise mode is const
        var act: BiasAct
    }

    /// `name` is e.g. `synthesis.b8.conv0`; x is [inputs][n][n].
    func layerForward(_ name: String, _ x: [Double], w: [Double], up: Bool, inputSize n: Int,
                      noise mode: NoiseMode) -> LayerState {
        let bias = tensor("\(name).bias"), weight = tensor("\(name).weight")
        let outputs = bias.count, inputs = weight.count / (outputs * 9)
        let s = affineForward(w, weight: tensor("\(name).affine.weight"), bias: tensor("\(name).affine.bias"))
        let m = modulateForward(weight: weight, styles: s, outputs: outputs, demodulate: true)
        let size = up ? 2 * n : n
        var y = up
            ? blurForward(transposedConvForward(x, kernel: m.w2, inputs: inputs, outputs: outputs, size: n),
                          channels: outputs, outputSize: size)
            : conv3x3Forward(x, kernel: m.w2, inputs: inputs, outputs: outputs, size: n)
        var noise: [Double]? = nil
        if mode == .const {
            let map = tensor("\(name).noise_const"), strength = tensor("\(name).noise_strength")[0]
            for k in y.indices { y[k] += map[k % (size * size)] * strength }
            noise = map
        }
        let act = biasActForward(y, bias: bias, leaky: true, clamp: config.convClamp)
        return LayerState(name: name, input: x, w: w, inputs: inputs, outputs: outputs, inputSize: n,
                          outputSize: size, up: up, styles: s, modulated: m, noise: noise, act: act)
    }

    /// Returns dL/dx and dL/dw; parameter and noise gradients are added to `grads` under state_dict names.
    func layerBackward(_ dy: [Double], _ st: LayerState,
                       grads: inout [String: [Double]]) -> (dx: [Double], dw: [Double]) {
        let name = st.name
        let (dyConv, dbias) = biasActBackward(dy, st.act, channels: st.outputs, leaky: true, clamp: config.convClamp)
        grads["\(name).bias"] = dbias
        if let map = st.noise {
            let plane = st.outputSize * st.outputSize, strength = tensor("\(name).noise_strength")[0]
            var dstrength = 0.0, dmap = [Double](repeating: 0, count: plane)
            for k in dyConv.indices { dstrength += dyConv[k] * map[k % plane]; dmap[k % plane] += dyConv[k] * strength }
            grads["\(name).noise_strength"] = [dstrength]
            grads["\(name).noise_const"] = dmap
        }
        let (dx, dw2) = st.up
            ? transposedConvBackward(blurBackward(dyConv, channels: st.outputs, outputSize: st.outputSize),
                                     x: st.input, kernel: st.modulated.w2, inputs: st.inputs,
                                     outputs: st.outputs, size: st.inputSize)
            : conv3x3Backward(dyConv, x: st.input, kernel: st.modulated.w2, inputs: st.inputs,
                              outputs: st.outputs, size: st.inputSize)
        let weight = tensor("\(name).weight")
        let (ds, dweight) = modulateBackward(dw2, weight: weight, styles: st.styles, st.modulated,
                                             outputs: st.outputs, demodulate: true)
        grads["\(name).weight"] = dweight
        let affine = affineBackward(ds, w: st.w, weight: tensor("\(name).affine.weight"))
        grads["\(name).affine.weight"] = affine.dweight
        grads["\(name).affine.bias"] = affine.dbias
        return (dx, affine.dw)
    }

    struct ToRGBState {
        var name: String
        var input: [Double], w: [Double], inputs: Int, size: Int
        var styles: [Double], act: BiasAct
    }

    /// 1×1 modulated conv without demodulation, styles scaled by 1/√C_in, then bias and clamp.
    func toRGBForward(_ name: String, _ x: [Double], w: [Double], size n: Int) -> ToRGBState {
        let weight = tensor("\(name).weight"), bias = tensor("\(name).bias")
        let outputs = bias.count, inputs = weight.count / outputs, plane = n * n
        let s = affineForward(w, weight: tensor("\(name).affine.weight"), bias: tensor("\(name).affine.bias"))
            .map { $0 / Double(inputs).squareRoot() }
        var y = [Double](repeating: 0, count: outputs * plane)
        for o in 0..<outputs { for i in 0..<inputs {
            let k = weight[o * inputs + i] * s[i]
            for p in 0..<plane { y[o * plane + p] += x[i * plane + p] * k }
        } }
        let act = biasActForward(y, bias: bias, leaky: false, clamp: config.convClamp)
        return ToRGBState(name: name, input: x, w: w, inputs: inputs, size: n, styles: s, act: act)
    }

    func toRGBBackward(_ dy: [Double], _ st: ToRGBState,
                       grads: inout [String: [Double]]) -> (dx: [Double], dw: [Double]) {
        let name = st.name, weight = tensor("\(name).weight")
        let outputs = weight.count / st.inputs, plane = st.size * st.size
        let (dyConv, dbias) = biasActBackward(dy, st.act, channels: outputs, leaky: false, clamp: config.convClamp)
        grads["\(name).bias"] = dbias
        var dx = [Double](repeating: 0, count: st.input.count)
        var dweight = [Double](repeating: 0, count: weight.count), ds = [Double](repeating: 0, count: st.inputs)
        for o in 0..<outputs { for i in 0..<st.inputs {
            var acc = 0.0
            for p in 0..<plane {
                acc += dyConv[o * plane + p] * st.input[i * plane + p]
                dx[i * plane + p] += dyConv[o * plane + p] * weight[o * st.inputs + i] * st.styles[i]
            }
            dweight[o * st.inputs + i] = acc * st.styles[i]
            ds[i] += acc * weight[o * st.inputs + i]
        } }
        grads["\(name).weight"] = dweight
        let affine = affineBackward(ds.map { $0 / Double(st.inputs).squareRoot() }, w: st.w,
                                    weight: tensor("\(name).affine.weight"))
        grads["\(name).affine.weight"] = affine.dweight
        grads["\(name).affine.bias"] = affine.dbias
        return (dx, affine.dw)
    }
}
