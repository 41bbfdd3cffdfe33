import Foundation
import Pipeline

/// `pivot bench pti`: seconds per projector (inversion) step and per pivotal-tuning step, LPIPS included,
/// on a random generator in an official configuration with seeded random LPIPS trunks, and the time of one
/// whole face at PTI's step counts (450 + 350, no early stop), extrapolated from the measured steps or, with
/// `whole`, measured.
public enum PTIBenchmark {
    public static func run(resolution: Int, steps: Int, whole: Bool, print: (String) -> Void) throws {
        guard let config = GeneratorBenchmark.configuration(resolution: resolution) else {
            throw GeneratorError("no benchmark configuration at \(resolution)")
        }
        print("building a random \(config.name) generator and random LPIPS trunks...")
        let generator = StyleGAN2Generator.random(
            config: try GeneratorConfig(resolution: config.resolution, mappingLayers: config.mappingLayers,
                                        channelBase: config.channelBase, channelMax: config.channelMax), seed: 1)
        func lpips(_ net: LPIPSNet) throws -> LPIPS {
            LPIPS(weights: try .randomTrunk(net: net, heads: net.architecture.tapChannels.map { [Float](repeating: 0.1, count: $0) }))
        }
        let vgg = try lpips(.vgg), alex = try lpips(.alex)
        let target = generator.synthesis.forward(ws: generator.ws(z: generator.latent(seed: 2)), keep: false).image

        var projectorSettings = ProjectorSettings()
        projectorSettings.steps = whole ? ProjectorSettings().steps : steps
        var tuningSettings = TuningSettings()
        tuningSettings.steps = whole ? TuningSettings().steps : steps
        // Time every step: the trunks are random, so PTI's 0.06 early stop means nothing here (with it, a
        // whole 1024² run stopped tuning at step 0), as `pivot process` also turns it off for a random AlexNet.
        tuningSettings.lpipsThreshold = 0

        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var stepTimes: [String: [Double]] = [:]
        var last = clock.now
        let observe: StepObserver = { report in
            let now = clock.now
            stepTimes[report.stage, default: []].append(seconds(now - last))
            last = now
        }
        let invertStart = clock.now
        last = invertStart
        let projection = try Projector(settings: projectorSettings, lpips: vgg).project(target, generator: generator, observe: observe)
        let invertTotal = seconds(clock.now - invertStart)
        let tuneStart = clock.now
        last = tuneStart
        let tuning = try PivotalTuner(settings: tuningSettings, lpips: alex).tune(generator, pivot: projection.pivot, target: target,
                                                                                   observe: observe)
        let tuneTotal = seconds(clock.now - tuneStart)

        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        // The first projector step also pays for w statistics and the target's features.
        let invertSteps = Array((stepTimes["invert"] ?? []).dropFirst()), tuneSteps = Array((stepTimes["tune"] ?? []).dropFirst())
        let invertSetup = (stepTimes["invert"]?.first ?? 0) - (invertSteps.isEmpty ? 0 : median(invertSteps))
        var table = BenchmarkTable(header: ["stage", "steps", "median s/step", "best s/step", "stage total s"])
        table.add(["invert (G fwd+bwd to w, noise; LPIPS-VGG \(min(256, resolution))²)", "\(projection.losses.count)",
                   invertSteps.isEmpty ? "-" : String(format: "%.3f", median(invertSteps)),
                   invertSteps.isEmpty ? "-" : String(format: "%.3f", invertSteps.min()!), String(format: "%.1f", invertTotal)])
        table.add(["tune (G fwd+bwd to weights; L2 + LPIPS-Alex \(resolution)²)", "\(tuning.stepsTaken)",
                   tuneSteps.isEmpty ? "-" : String(format: "%.3f", median(tuneSteps)),
                   tuneSteps.isEmpty ? "-" : String(format: "%.3f", tuneSteps.min()!), String(format: "%.1f", tuneTotal)])
        print(table.render())
        print("peak memory: \(GeneratorBenchmark.peakMemory())")
        if whole {
            print(String(format: "whole face, measured: %.1f s (%.1f min): invert %d steps, tune %d steps",
                         invertTotal + tuneTotal, (invertTotal + tuneTotal) / 60, projection.losses.count, tuning.stepsTaken))
        } else if !invertSteps.isEmpty, !tuneSteps.isEmpty {
            let estimate = invertSetup + 450 * median(invertSteps) + 350 * median(tuneSteps)
            print(String(format: "whole face at PTI's step counts (450 invert + 350 tune, no early stop), extrapolated: %.0f s (%.1f min)",
                         estimate, estimate / 60))
        }
    }
}
