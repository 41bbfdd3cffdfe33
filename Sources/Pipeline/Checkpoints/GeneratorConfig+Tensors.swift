extension GeneratorConfig {
    /// Every tensor of G_ema's state_dict with its shape, in state_dict order (stylegan2.md §7.4): synthesis
    /// blocks 4…R, then the mapping network.
    public var expectedTensors: [(name: String, shape: [Int])] {
        var expected: [(String, [Int])] = []
        for r in blockResolutions {
            let block = "synthesis.b\(r)"
            let out = channels(at: r)
            if r == 4 { expected.append(("\(block).const", [out, 4, 4])) }
            expected.append(("\(block).resample_filter", [4, 4]))
            if r > 4 { expected += layer("\(block).conv0", out: out, in: channels(at: r / 2), r: r) }
            expected += layer("\(block).conv1", out: out, in: out, r: r)
            expected += [("\(block).torgb.weight", [imageChannels, out, 1, 1]), ("\(block).torgb.bias", [imageChannels]),
                         ("\(block).torgb.affine.weight", [out, wDim]), ("\(block).torgb.affine.bias", [out])]
        }
        expected.append(("mapping.w_avg", [wDim]))
        if cDim > 0 { expected += [("mapping.embed.weight", [wDim, cDim]), ("mapping.embed.bias", [wDim])] }
        for i in 0..<mappingLayers {
            let inputs = i == 0 ? zDim + (cDim > 0 ? wDim : 0) : wDim
            expected += [("mapping.fc\(i).weight", [wDim, inputs]), ("mapping.fc\(i).bias", [wDim])]
        }
        return expected
    }

    /// The element count of every expected tensor, by name.
    var expectedCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: expectedTensors.map { ($0.name, $0.shape.reduce(1, *)) })
    }

    private func layer(_ name: String, out: Int, in inputs: Int, r: Int) -> [(String, [Int])] {
        [("\(name).weight", [out, inputs, 3, 3]), ("\(name).noise_strength", []), ("\(name).bias", [out]),
         ("\(name).resample_filter", [4, 4]), ("\(name).noise_const", [r, r]),
         ("\(name).affine.weight", [inputs, wDim]), ("\(name).affine.bias", [inputs])]
    }

    /// Checks that `tensors` holds exactly the expected names with the expected shapes, listing every
    /// difference (so an import can refuse a file before writing anything).
    public func check(_ tensors: NamedTensors) throws {
        var problems: [String] = []
        let expected = expectedTensors
        for (name, shape) in expected {
            guard let tensor = tensors[name] else { problems.append("missing \(name) \(shape)"); continue }
            if tensor.shape != shape { problems.append("\(name) has shape \(tensor.shape), expected \(shape)") }
            if !tensor.dtype.isFloatingPoint { problems.append("\(name) holds \(tensor.dtype.rawValue), not floats") }
        }
        let known = Set(expected.map(\.name))
        for name in tensors.names where !known.contains(name) { problems.append("unexpected tensor \(name)") }
        guard problems.isEmpty else {
            let shown = problems.prefix(8).joined(separator: "; ") + (problems.count > 8 ? "; … (\(problems.count) in all)" : "")
            throw CheckpointError(.architecture, file: tensors.source,
                                  "tensors do not fit the generator (R \(resolution), channel_base \(channelBase), channel_max \(channelMax), \(mappingLayers) mapping layers): \(shown)")
        }
    }
}
