import Foundation
import Pipeline
import PivotTestSupport

/// One case of `fixtures/lpips/lpips_io.safetensors` (fixtures.md §2): inputs, PyTorch's outputs and the
/// random trunk + real heads they were made with.
struct LPIPSFixture {
    static let cases: [(net: LPIPSNet, tag: String)] = [(.vgg, "64"), (.vgg, "odd"), (.alex, "64"), (.alex, "odd")]

    let net: LPIPSNet
    let height: Int, width: Int
    /// Inputs as NHWC floats in [-1, 1].
    let x0: [Float], x1: [Float]
    let distance: Float
    let layerTerms: [Float]
    /// ∂distance/∂x0, NHWC.
    let gradient: [Float]

    var trunkURL: URL { Fixtures.url("lpips/\(net.rawValue)_trunk_random.pth") }
    var headsURL: URL { Fixtures.url("lpips/\(net.rawValue)_lin.pth") }

    init(net: LPIPSNet, tag: String) throws {
        let io = try CheckpointFile.open(Fixtures.url("lpips/lpips_io.safetensors").path).tensors
        let prefix = "\(net.rawValue).\(tag)"
        let shape = try io.tensor("\(prefix).x0").shape
        self.net = net
        height = shape[2]
        width = shape[3]
        func image(_ name: String) throws -> [Float] {
            ReferenceImage(chw: try io.floats("\(prefix).\(name)"), channels: 3, height: shape[2], width: shape[3])
                .values.map(Float.init)
        }
        x0 = try image("x0")
        x1 = try image("x1")
        gradient = try image("grad_x0")
        distance = try io.floats("\(prefix).dist")[0]
        layerTerms = try (0..<5).map { try io.floats("\(prefix).layer\($0)")[0] }
    }

    func referenceImage(_ values: [Float]) -> ReferenceImage {
        ReferenceImage(height: height, width: width, channels: 3, values: values.map(Double.init))
    }

    /// The scalar oracle built straight from the fixture's checkpoint tensors with its own layer table.
    func reference() throws -> ReferenceLPIPS {
        let trunk = try CheckpointFile.open(trunkURL.path).tensors
        let lins = try CheckpointFile.open(headsURL.path).tensors
        let heads = try (0..<5).map { try lins.floats("lin\($0).model.1.weight").map(Double.init) }
        let features: ReferenceLPIPS.FeatureTensors = { index in
            (try trunk.floats("features.\(index).weight"), try trunk.floats("features.\(index).bias"))
        }
        switch net {
        case .vgg: return try .vgg16(features: features, heads: heads)
        case .alex: return try .alexNet(features: features, heads: heads)
        }
    }
}
