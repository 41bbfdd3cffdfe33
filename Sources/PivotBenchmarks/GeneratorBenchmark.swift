import Foundation
import Pipeline
import SIMDKernels

/// `pivot bench generator`: one StyleGAN2 generator step at batch 1, noise const, random weights in an
/// official configuration — forward (render), inversion (forward + backward to ws and noise) and tuning
/// (forward + backward to every synthesis parameter) — seconds per step and peak resident memory.
public enum GeneratorBenchmark {
    public struct Configuration: Sendable {
        public var name: String
        public var resolution: Int
        public var channelBase: Int
        public var channelMax: Int
        public var mappingLayers: Int
    }

    /// paper256 (train.py --cfg=paper256) and config F at 1024.
    public static func configuration(resolution: Int) -> Configuration? {
        switch resolution {
        case 256: Configuration(name: "paper256", resolution: 256, channelBase: 16384, channelMax: 512, mappingLayers: 8)
        case 1024: Configuration(name: "config-F", resolution: 1024, channelBase: 32768, channelMax: 512, mappingLayers: 8)
        default: nil
        }
    }

    public static func run(_ config: Configuration, repeats: Int, only: String? = nil,
                           print: (String) -> Void) throws {
        print("building a random \(config.name) generator (\(config.resolution)², channel_base \(config.channelBase))...")
        let architecture = try GeneratorConfig(resolution: config.resolution, mappingLayers: config.mappingLayers,
                                               channelBase: config.channelBase, channelMax: config.channelMax)
        let g = StyleGAN2Generator.random(config: architecture, seed: 1)
        let ws = g.ws(z: g.latent(seed: 2))
        let r = config.resolution
        let dImage = (0..<(r * r * 3)).map { Float(($0 % 7) - 3) / 3 }
        // The projector prepares its frozen weights once per face, outside its steps.
        let frozen = g.synthesis.frozenWeights()
        print("threads: \(Parallel.threadCount); peak memory after building: \(peakMemory())")
        var table = BenchmarkTable(header: ["step", "best s", "median s", "runs", "peak RSS (VmHWM)"])
        let steps: [(String, () -> Void)] = [
            ("forward", { _ = g.synthesis.forward(ws: ws, keep: false) }),
            ("inversion (fwd + bwd to ws, noise)", {
                _ = g.synthesis.backward(g.synthesis.forward(ws: ws, frozen: frozen), dImage: dImage, parameters: false)
            }),
            ("tuning (fwd + bwd to all weights)", {
                _ = g.synthesis.backward(g.synthesis.forward(ws: ws), dImage: dImage, parameters: true)
            }),
        ]
        for (name, body) in steps where only.map({ name.contains($0) }) ?? true {
            var times: [Double] = []
            let clock = ContinuousClock()
            for _ in 0..<repeats {
                let start = clock.now
                body()
                let d = clock.now - start
                times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            }
            times.sort()
            table.add([name, String(format: "%.3f", times[0]), String(format: "%.3f", times[times.count / 2]),
                       "\(repeats)", peakMemory()])
        }
        print(table.render())
    }

    /// VmHWM of this process, from /proc/self/status.
    static func peakMemory() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return "?" }
        return String(format: "%.2f GB", kb / 1_048_576)
    }
}
