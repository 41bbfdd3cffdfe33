import SIMDKernels

/// The trunk's floor-mode max pools on feature maps, forward and backward (arg-max routing recomputed from
/// the pool's input).
enum LPIPSMaxPool {
    static func forward(_ x: LPIPSFeatureMap, window: Int, stride: Int) throws -> LPIPSFeatureMap {
        let pool = MaxPool2D(window: window, stride: stride)
        return try LPIPSFeatureMap(shape: pool.outputShape(for: x.shape)) { output in
            try pool.forward(x.values, shape: x.shape, output: output)
        }
    }

    static func backward(_ gradient: LPIPSFeatureMap, input: LPIPSFeatureMap, window: Int, stride: Int) throws -> LPIPSFeatureMap {
        let pool = MaxPool2D(window: window, stride: stride)
        return try LPIPSFeatureMap(shape: input.shape) { inputGradient in
            try pool.backward(input: input.values, shape: input.shape, gradOutput: gradient.values,
                              gradInput: inputGradient)
        }
    }
}
