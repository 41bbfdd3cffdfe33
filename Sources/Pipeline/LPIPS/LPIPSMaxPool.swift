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

    /// The pool's input gradient added to `sum` (the gradient that already reached the pool's input: its tap's).
    static func backward(_ gradient: LPIPSFeatureMap, input: LPIPSFeatureMap, window: Int, stride: Int,
                         addingTo sum: inout LPIPSFeatureMap) throws {
        let pool = MaxPool2D(window: window, stride: stride)
        try sum.values.withUnsafeMutableBufferPointer { sum in
            try pool.backward(input: input.values, shape: input.shape, gradOutput: gradient.values,
                              gradInput: sum.baseAddress!, accumulate: true)
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
