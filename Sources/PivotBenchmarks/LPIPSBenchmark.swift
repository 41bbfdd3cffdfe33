import Pipeline
import SIMDKernels

/// `pivot bench lpips`: one LPIPS forward + backward-to-input call at the sizes PTI uses (VGG at 256², the
/// projector; AlexNet at 1024², the tuning loss), target features prepared once as in PTI.
public enum LPIPSBenchmark {
    public static func run(repeats: Int, quick: Bool, print: (String) -> Void) throws {
        let cases: [(LPIPSNet, Int)] = quick ? [(.vgg, 64), (.alex, 128)] : [(.vgg, 256), (.alex, 1024)]
        var table = BenchmarkTable(header: ["case", "threads", "best s/call", "median s/call", "best CPU s/call", "GMAC/call",
                                            "GFLOP/s (best)"])
        for (net, size) in cases {
            // Random trunk and flat heads: the time does not depend on the values.
            let heads = net.architecture.tapChannels.map { [Float](repeating: 1 / Float($0), count: $0) }
            let lpips = LPIPS(weights: try .randomTrunk(net: net, heads: heads))
            var rng = NumpyRandomState(seed: 1)
            let image = { (0..<size * size * 3).map { _ in Float(2 * rng.nextDouble() - 1) } }
            let target = try lpips.prepareTarget(image(), height: size, width: size)
            let x = image()
            var failure: Error?
            let times = KernelBenchmark.measure({
                do { _ = try lpips.distanceAndGradient(x, to: target) } catch { failure = error }
            }, repeats: repeats)
            if let failure { throw failure }
            let macs = 2 * Double(try lpips.multiplyAdds(height: size, width: size))   // forward + backward-data
            table.add(["\(net.rawValue) \(size)x\(size)", "\(Parallel.threadCount)", KernelBenchmark.fixed(times.best, 3),
                       KernelBenchmark.fixed(times.median, 3), KernelBenchmark.fixed(times.bestCPU, 3),
                       KernelBenchmark.fixed(macs / 1e9, 1), KernelBenchmark.fixed(2 * macs / times.best / 1e9, 1)])
        }
        print(table.render())
        print("PyTorch comparison: scripts/bench-lpips-torch.py in a venv with torch and lpips (see README).")
    }
}
