import SIMDKernels

/// One finished optimisation step, reported to whoever drives a long stage (progress lines, the watcher's
/// status file). The observer may throw to stop the stage between steps; the error propagates unchanged.
public struct StepReport: Sendable {
    public var stage: String
    /// Steps done so far (1-based), out of `total` (the most the stage will take; tuning may stop earlier).
    public var step: Int
    public var total: Int
    public var loss: Double
}

public typealias StepObserver = (StepReport) throws -> Void

/// Keeps one optimiser state (Adam's two moments) per tensor, indexed like the tensors it updates.
struct AdamState {
    var firstMoments: [[Float]]
    var secondMoments: [[Float]]

    init(shapes: [Int]) {
        firstMoments = shapes.map { [Float](repeating: 0, count: $0) }
        secondMoments = firstMoments
    }

    /// Adam step `step` (1-based) on tensor `index`.
    mutating func update(_ adam: Adam, step: Int, index: Int, parameters: inout [Float], gradients: [Float]) {
        precondition(parameters.count == gradients.count && parameters.count == firstMoments[index].count)
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                firstMoments[index].withUnsafeMutableBufferPointer { m in
                    secondMoments[index].withUnsafeMutableBufferPointer { v in
                        adam.update(step: step, parameters: p.baseAddress!, gradients: g.baseAddress!,
                                    firstMoment: m.baseAddress!, secondMoment: v.baseAddress!, count: p.count)
                    }
                }
            }
        }
    }
}
