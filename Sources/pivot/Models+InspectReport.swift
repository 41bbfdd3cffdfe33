import Foundation
import Pipeline

/// What `pivot models inspect` prints, as text or JSON.
struct InspectReport: Encodable {
    struct Architecture: Encodable {
        var config: GeneratorConfig
        var readAs: String
        var channelsPerResolution: [String: Int]
        var numWs: Int
    }
    struct Tensor: Encodable {
        var name: String
        var dtype: String
        var shape: [Int]
    }

    var file: String
    var format: String
    var generator: Architecture?
    var tensors: [Tensor]
    var metadata: [String: String]

    init(_ checkpoint: CheckpointFile, _ generator: GeneratorWeights?) {
        file = checkpoint.path
        format = checkpoint.format.rawValue
        metadata = checkpoint.metadata
        self.generator = generator.map { weights in
            let config = weights.config
            return Architecture(
                config: config, readAs: weights.source,
                channelsPerResolution: Dictionary(uniqueKeysWithValues: config.blockResolutions.map { (String($0), config.channels(at: $0)) }),
                numWs: config.numWs)
        }
        // A generator lists its tensors under NVlabs names (e.g. after the rosinality mapping).
        let named = generator?.tensors ?? checkpoint.tensors
        tensors = named.map { Tensor(name: $0.name, dtype: $0.tensor.dtype.rawValue, shape: $0.tensor.shape) }
    }

    var text: String {
        var lines = ["file:    \(file)", "format:  \(format)"]
        if let generator {
            let config = generator.config
            let channels = config.blockResolutions.map { "b\($0) \(config.channels(at: $0))" }.joined(separator: ", ")
            lines += [
                "generator: StyleGAN2 (\(generator.readAs))",
                "  resolution        \(config.resolution)",
                "  z_dim / w_dim     \(config.zDim) / \(config.wDim)" + (config.cDim > 0 ? ", c_dim \(config.cDim)" : ""),
                "  mapping layers    \(config.mappingLayers)",
                "  num_ws            \(config.numWs)",
                "  conv_clamp        \(config.convClamp.map { "\($0)" } ?? "none")",
                "  channel_base/max  \(config.channelBase) / \(config.channelMax)",
                "  channels          \(channels)",
            ]
        } else {
            lines.append("generator: none (not a StyleGAN2 generator)")
        }
        let width = tensors.map(\.name.count).max() ?? 0
        lines.append("tensors: \(tensors.count)")
        for tensor in tensors {
            lines.append("  " + tensor.name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  \(tensor.dtype.padding(toLength: 8, withPad: " ", startingAt: 0))  \(tensor.shape)")
        }
        return lines.joined(separator: "\n")
    }
}
