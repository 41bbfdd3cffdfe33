import SIMDKernels

/// Pivotal tuning's settings (specs/pti.md §1.1, §4); the defaults are PTI's.
public struct TuningSettings: Sendable, Codable, Equatable {
    public var steps = 350
    public var learningRate = 3e-4
    public var l2Weight = 1.0
    public var lpipsWeight = 1.0
    /// Stop as soon as LPIPS-Alex is at or below this, before stepping (PTI quirk 4); 0 never stops early.
    public var lpipsThreshold = 0.06
    /// PTI's locality regulariser; nil (the upstream default) leaves it off.
    public var locality: LocalityRegularization?

    public init() {}
}

/// The locality regulariser (specs/pti.md §4.4): each step, a point 30 units from the pivot towards a random
/// truncated w is rendered without noise by the tuned and by the original generator, and their L2 and
/// LPIPS-Alex distance is added to the loss.
public struct LocalityRegularization: Sendable, Codable, Equatable {
    public var alpha = 30.0
    public var l2Weight = 0.1
    public var lpipsWeight = 0.1
    public var truncation: Float = 0.5
    public var seed: UInt64 = 0

    public init() {}
}

/// What tuning produced.
public struct Tuning: Sendable {
    public var synthesis: SynthesisNetwork
    /// Loss (λ₂·L2 + λ_lpips·LPIPS, plus the locality term when on) at every step computed.
    public var losses: [Double]
    /// LPIPS-Alex of the last step computed.
    public var finalLPIPS: Double
    /// Adam steps actually taken (fewer than `steps` when the LPIPS threshold stopped it).
    public var stepsTaken: Int
    public var stoppedEarly: Bool
}

/// Pivotal tuning, single identity (`single_id_coach.py`, specs/pti.md §4): Adam on every synthesis
/// parameter with w fixed at the pivot, loss L2 + LPIPS-Alex at full resolution against the aligned face.
public struct PivotalTuner {
    public var settings: TuningSettings
    /// LPIPS with the AlexNet trunk.
    public var lpips: LPIPS

    public init(settings: TuningSettings = TuningSettings(), lpips: LPIPS) {
        self.settings = settings
        self.lpips = lpips
    }

    /// Tunes a copy of `generator.synthesis` so that it renders `target` (NHWC floats in [−1, 1]) at `pivot`.
    public func tune(_ generator: StyleGAN2Generator, pivot: LatentCode, target: [Float],
                     observe: StepObserver = { _ in }) throws -> Tuning {
        let resolution = generator.resolution
        guard target.count == resolution * resolution * 3 else {
            throw GeneratorError("tuning: target has \(target.count) floats, the generator makes \(resolution)x\(resolution)x3")
        }
        let lpipsTarget = try lpips.prepareTarget(target, height: resolution, width: resolution)
        let ws = pivot.rows
        var synthesis = generator.synthesis
        let paths = synthesis.trainablePaths.map(\.path)
        var state = AdamState(shapes: paths.map { synthesis[keyPath: $0].count })
        let adam = Adam(learningRate: settings.learningRate)
        var rng = SplitMix64(seed: settings.locality?.seed ?? 0)
        var losses: [Double] = [], lastLPIPS = Double.nan

        for step in 0..<settings.steps {
            let trace = synthesis.forward(ws: ws, noise: .const, keep: true)
            let l2 = MeanSquaredError.value(trace.image, target, count: target.count)
            let (distance, lpipsGradient) = try lpips.distanceAndGradient(trace.image, to: lpipsTarget)
            lastLPIPS = distance.value
            var loss = settings.l2Weight * l2 + settings.lpipsWeight * distance.value
            if settings.lpipsThreshold > 0 && distance.value <= settings.lpipsThreshold {
                losses.append(loss)
                return Tuning(synthesis: synthesis, losses: losses, finalLPIPS: lastLPIPS, stepsTaken: step, stoppedEarly: true)
            }
            var dImage = [Float](repeating: 0, count: target.count)
            MeanSquaredError.gradient(trace.image, target, count: target.count, weight: Float(settings.l2Weight), into: &dImage)
            let lpipsWeight = Float(settings.lpipsWeight)
            for i in dImage.indices { dImage[i] += lpipsWeight * lpipsGradient[i] }
            var gradients = synthesis.backward(trace, dImage: dImage, parameters: true).parameters!

            if let locality = settings.locality {
                loss += try addLocalityGradients(locality, synthesis: synthesis, original: generator, pivot: pivot,
                                                 rng: &rng, into: &gradients)
            }
            for (index, path) in paths.enumerated() {
                synthesis.modifyTensor(path) {
                    state.update(adam, step: step + 1, index: index, parameters: &$0, gradients: gradients[keyPath: path])
                }
            }
            losses.append(loss)
            try observe(StepReport(stage: "tune", step: step + 1, total: settings.steps, loss: loss))
        }
        return Tuning(synthesis: synthesis, losses: losses, finalLPIPS: lastLPIPS, stepsTaken: settings.steps, stoppedEarly: false)
    }

    /// The locality term's value; its parameter gradients are added to `gradients`.
    private func addLocalityGradients(_ locality: LocalityRegularization, synthesis: SynthesisNetwork,
                                      original: StyleGAN2Generator, pivot: LatentCode, rng: inout SplitMix64,
                                      into gradients: inout SynthesisNetwork) throws -> Double {
        let mapping = original.mapping
        let z = (0..<mapping.zDim).map { _ in rng.nextNormal() }
        let wz = Array(mapping.truncate(mapping(z), psi: locality.truncation, count: pivot.numWs).joined())
        var norm = 0.0
        for i in wz.indices { norm += Double(wz[i] - pivot.values[i]) * Double(wz[i] - pivot.values[i]) }
        let scale = Float(locality.alpha / max(norm.squareRoot(), 1e-12))
        let wr = (0..<pivot.numWs).map { row in
            (0..<pivot.wDim).map { j in
                let i = row * pivot.wDim + j
                return pivot.values[i] + scale * (wz[i] - pivot.values[i])
            }
        }
        let old = original.synthesis.forward(ws: wr, noise: .none, keep: false).image
        let new = synthesis.forward(ws: wr, noise: .none, keep: true)
        let resolution = original.resolution
        let l2 = MeanSquaredError.value(new.image, old, count: old.count)
        let oldTarget = try lpips.prepareTarget(old, height: resolution, width: resolution)
        let (distance, lpipsGradient) = try lpips.distanceAndGradient(new.image, to: oldTarget)
        var dImage = [Float](repeating: 0, count: old.count)
        MeanSquaredError.gradient(new.image, old, count: old.count, weight: Float(locality.l2Weight), into: &dImage)
        for i in dImage.indices { dImage[i] += Float(locality.lpipsWeight) * lpipsGradient[i] }
        let extra = synthesis.backward(new, dImage: dImage, parameters: true).parameters!
        for path in synthesis.trainablePaths.map(\.path) {
            gradients.modifyTensor(path) { add(extra[keyPath: path], to: &$0) }
        }
        return locality.l2Weight * l2 + locality.lpipsWeight * distance.value
    }
}
