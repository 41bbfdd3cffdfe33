import SIMDKernels

/// Which latent space the pivot lives in.
public enum LatentSpace: String, Sendable, Codable, CaseIterable {
    /// One w repeated over every layer (PTI's default, `first_inv_type = 'w'`).
    case w
    /// One w per layer (the NVlabs projector run on a [num_ws, w_dim] code; PTI's SG2_plus baseline).
    case wPlus = "w+"
}

/// The pivot search's settings (specs/pti.md §3.1); the defaults are PTI's.
public struct ProjectorSettings: Sendable, Codable, Equatable {
    public var steps = 450
    public var latentSpace = LatentSpace.w
    public var wStatisticsSamples = WStatistics.ptiSamples
    public var wStatisticsSeed = WStatistics.ptiSeed
    public var noiseRegularization = 1e5
    /// LPIPS-VGG runs on images area-downsampled to this size when the generator is larger.
    public var lpipsSize = 256
    /// Seeds the initial noise maps and the per-step w perturbation (PTI uses torch's unseeded stream).
    public var seed: UInt64 = 0

    public init() {}
}

/// What the projector found: the pivot, and the noise maps it fitted alongside (PTI throws those away and
/// renders with the generator's own `noise_const`; Pivot saves them in `pivot.safetensors` for inspection).
public struct Projection: Sendable {
    /// Where the search started: w_avg of the sampled latents.
    public var start: LatentCode
    public var pivot: LatentCode
    /// One [r][r] map per conv layer, in `SynthesisNetwork.layers` order.
    public var noiseMaps: [[Float]]
    /// Loss (LPIPS-VGG distance + weighted noise regulariser) at every step.
    public var losses: [Double]
}

/// The StyleGAN2 projector as PTI runs it (`w_projector.py`, specs/pti.md §3.2): Adam on w and on every noise
/// map, LPIPS-VGG against target features computed once, a noised w early on, and the noise regulariser with
/// the maps renormalised after each step.
public struct Projector {
    public var settings: ProjectorSettings
    /// LPIPS with the VGG16 trunk.
    public var lpips: LPIPS

    public init(settings: ProjectorSettings = ProjectorSettings(), lpips: LPIPS) {
        self.settings = settings
        self.lpips = lpips
    }

    /// The size LPIPS sees for a generator of `resolution`.
    public func lpipsSize(resolution: Int) -> Int { min(resolution, settings.lpipsSize) }

    /// The projector's own measure: LPIPS-VGG at `lpipsSize` between each image and the target (whose
    /// features are computed once).
    public func distances(_ images: [[Float]], to target: [Float], resolution: Int) throws -> [Double] {
        let size = lpipsSize(resolution: resolution)
        let prepared = try lpips.prepareTarget(try downsampled(target, from: resolution, to: size), height: size, width: size,
                                               forGradients: false)
        return try images.map { try lpips.distance(try downsampled($0, from: resolution, to: size), to: prepared).value }
    }

    /// An NHWC RGB image area-averaged from `resolution`² to `size`² (PTI: 1024 → 256 before VGG).
    private func downsampled(_ image: [Float], from resolution: Int, to size: Int) throws -> [Float] {
        guard size != resolution else { return image }
        var small = [Float](repeating: 0, count: size * size * 3)
        try AreaResize(outputHeight: size, outputWidth: size)
            .forward(image, shape: NHWCShape(batch: 1, height: resolution, width: resolution, channels: 3), output: &small)
        return small
    }

    /// Projects `target` (the aligned face, `resolution`² × 3 NHWC floats in [−1, 1]) into `generator`.
    public func project(_ target: [Float], generator: StyleGAN2Generator, observe: StepObserver = { _ in }) throws -> Projection {
        let resolution = generator.resolution, size = lpipsSize(resolution: resolution)
        guard target.count == resolution * resolution * 3 else {
            throw GeneratorError("projector: target has \(target.count) floats, the generator makes \(resolution)x\(resolution)x3")
        }
        let lpipsTarget = try lpips.prepareTarget(try downsampled(target, from: resolution, to: size), height: size, width: size)

        let statistics = WStatistics(mapping: generator.mapping, samples: settings.wStatisticsSamples,
                                     seed: settings.wStatisticsSeed)
        let numWs = generator.numWs, wDim = generator.mapping.wDim
        let rows = settings.latentSpace == .w ? 1 : numWs
        var latent = Array([[Float]](repeating: statistics.mean, count: rows).joined())
        // The projector works on a copy whose noise_const maps are refilled with N(0,1) and optimised.
        var synthesis = generator.synthesis
        var rng = SplitMix64(seed: settings.seed)
        for b in synthesis.blocks.indices {
            synthesis.blocks[b].conv0?.noiseConst.withUnsafeMutableBufferPointer { fillNormal($0, &rng) }
            synthesis.blocks[b].conv1.noiseConst.withUnsafeMutableBufferPointer { fillNormal($0, &rng) }
        }
        let schedule = ProjectorSchedule(steps: settings.steps)
        var adam = Adam(learningRate: 0)
        var state = AdamState(shapes: [latent.count] + synthesis.layers.map { $0.noiseConst.count })
        var losses: [Double] = []
        let frozen = synthesis.frozenWeights()  // only the noise maps change from step to step

        for step in 0..<settings.steps {
            let noiseScale = Float(schedule.wNoiseScale(step: step, wStd: statistics.standardDeviation))
            adam.learningRate = schedule.learningRate(step: step)
            let noised = latent.map { $0 + noiseScale * rng.nextNormal() }
            let ws = (0..<numWs).map { i in Array(noised[(rows == 1 ? 0 : i) * wDim ..< ((rows == 1 ? 0 : i) + 1) * wDim]) }

            let trace = synthesis.forward(ws: ws, noise: .const, keep: true, frozen: frozen)
            let (distance, smallGradient) = try lpips.distanceAndGradient(try downsampled(trace.image, from: resolution, to: size), to: lpipsTarget)
            var dImage = smallGradient
            if size != resolution {
                dImage = [Float](repeating: 0, count: resolution * resolution * 3)
                try AreaResize(outputHeight: size, outputWidth: size).backward(
                    gradOutput: smallGradient, inputShape: NHWCShape(batch: 1, height: resolution, width: resolution, channels: 3),
                    gradInput: &dImage)
            }
            let gradients = synthesis.backward(trace, dImage: dImage, parameters: false)

            var dLatent = [Float](repeating: 0, count: latent.count)
            for (i, row) in gradients.ws.enumerated() {
                let offset = (rows == 1 ? 0 : i) * wDim
                for j in 0..<wDim { dLatent[offset + j] += row[j] }
            }
            state.update(adam, step: step + 1, index: 0, parameters: &latent, gradients: dLatent)

            var regularizer = 0.0
            for (i, path) in synthesis.noiseConstPaths.enumerated() {
                let size = synthesis.layers[i].resolution
                var dNoise = gradients.noise[i] ?? [Float](repeating: 0, count: size * size)
                var dRegularizer = [Float](repeating: 0, count: size * size)
                regularizer += try synthesis[keyPath: path].withUnsafeBufferPointer { map in
                    try dRegularizer.withUnsafeMutableBufferPointer {
                        try NoiseRegularizer.apply(map.baseAddress!, size: size, gradient: $0.baseAddress!)
                    }
                }
                let weight = Float(settings.noiseRegularization)
                for k in dNoise.indices { dNoise[k] += weight * dRegularizer[k] }
                synthesis.modifyTensor(path) { map in
                    state.update(adam, step: step + 1, index: i + 1, parameters: &map, gradients: dNoise)
                    map.withUnsafeMutableBufferPointer { NoiseRegularizer.renormalize($0.baseAddress!, count: $0.count) }
                }
            }
            let loss = distance.value + settings.noiseRegularization * regularizer
            losses.append(loss)
            try observe(StepReport(stage: "invert", step: step + 1, total: settings.steps, loss: loss))
        }
        let pivot = rows == 1 ? LatentCode(repeating: latent, numWs: numWs) : LatentCode(numWs: numWs, wDim: wDim, values: latent)
        return Projection(start: LatentCode(repeating: statistics.mean, numWs: numWs), pivot: pivot, noiseMaps: synthesis.layers.map(\.noiseConst), losses: losses)
    }
}

private func fillNormal(_ buffer: UnsafeMutableBufferPointer<Float>, _ rng: inout SplitMix64) {
    for i in buffer.indices { buffer[i] = rng.nextNormal() }
}
