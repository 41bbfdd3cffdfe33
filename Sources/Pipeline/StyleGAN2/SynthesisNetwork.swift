/// The synthesis network, skip architecture (stylegan2.md §5.1–5.2): blocks b4 … bR, one sample at a time.
public struct SynthesisNetwork: Sendable {
    public struct Block: Sendable {
        public let resolution: Int
        public var conv0: SynthesisLayer?      // nil in b4
        public var conv1: SynthesisLayer
        public var toRGB: ToRGBLayer
    }

    /// b4.const, [C4][4][4] (PyTorch layout).
    public var const: [Float]
    public var blocks: [Block]
    public let convClamp: Float?
    public let wDim: Int

    public var resolution: Int { blocks.last!.resolution }
    /// 2·log2(R) − 2 (§2.2).
    public var numWs: Int { 2 * blocks.count }

    /// The conv layers in order b4.conv1, b8.conv0, b8.conv1, …; layer i reads ws[i] (§5.1), and block b's
    /// ToRGB reads the slot after its conv1.
    public var layers: [SynthesisLayer] { blocks.flatMap { [$0.conv0, $0.conv1].compactMap { $0 } } }

    /// The const input as an NHWC map.
    var constMap: FeatureMap {
        let c = const.count / 16
        var m = FeatureMap(size: 4, channels: c)
        for ch in 0..<c { for p in 0..<16 { m.values[p * c + ch] = const[ch * 16 + p] } }
        return m
    }
}
