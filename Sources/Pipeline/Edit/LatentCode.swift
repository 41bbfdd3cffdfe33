/// A W+ latent code: `numWs` rows of `wDim` floats, row-major (NVlabs `ws[0]`, shape [num_ws, w_dim]).
/// A W pivot (PTI's default) is the same row repeated `numWs` times.
public struct LatentCode: Equatable, Sendable {
    public let numWs: Int
    public let wDim: Int
    public var values: [Float]

    public init(numWs: Int, wDim: Int, values: [Float]) {
        precondition(values.count == numWs * wDim, "LatentCode: \(values.count) values for [\(numWs), \(wDim)]")
        self.numWs = numWs
        self.wDim = wDim
        self.values = values
    }

    /// One w repeated over every layer, as PTI's W projector returns its pivot.
    public init(repeating w: [Float], numWs: Int) {
        self.init(numWs: numWs, wDim: w.count, values: Array((0..<numWs).map { _ in w }.joined()))
    }

    public func row(_ layer: Int) -> ArraySlice<Float> { values[layer * wDim ..< (layer + 1) * wDim] }

    /// The code as the synthesis network takes it: one array per layer.
    public var rows: [[Float]] { (0..<numWs).map { Array(row($0)) } }
}
