import ArgumentParser
import Foundation
import Pipeline
import SIMDKernels

/// `pivot lpips A B`: the LPIPS distance between two images.
struct LPIPSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lpips",
        abstract: "Print the LPIPS v0.1 distance between two images.",
        discussion: """
            Images of different sizes are area-averaged to the smaller height and width (or both to --size).
            Weights: --trunk defaults to models/<torchvision file> and --heads to models/lpips/<net>.pth \
            (scripts/fetch-lpips-heads). Without a trunk file a seeded random trunk is used and a warning is printed.
            """
    )

    @Argument(help: "First image (PNG, JPEG or WebP).") var first: String
    @Argument(help: "Second image.") var second: String
    @Option(help: "Trunk: vgg or alex.") var net: LPIPSNet = .alex
    @Option(help: "torchvision trunk file (vgg16-397923af.pth or alexnet-owt-7be5be79.pth).") var trunk: String?
    @Option(help: "lpips v0.1 head file (lpips/weights/v0.1/<net>.pth).") var heads: String?
    @Option(help: "Resize both images to N x N (area averaging) first.") var size: Int?

    func validate() throws {
        if let size, size < 1 { throw ValidationError("--size must be positive, got \(size)") }
    }

    func run() throws {
        let weights = try LPIPSCommand.loadWeights(net: net, trunk: trunk, heads: heads)
        if weights.trunkIsRandom {
            FileHandle.standardError.write(Data(LPIPSCommand.randomTrunkWarning(net).utf8))
        }
        var a = try LPIPSInput(ImageCodec.read(URL(fileURLWithPath: first)))
        var b = try LPIPSInput(ImageCodec.read(URL(fileURLWithPath: second)))
        let height = size ?? min(a.height, b.height), width = size ?? min(a.width, b.width)
        try a.resize(height: height, width: width)
        try b.resize(height: height, width: width)
        let lpips = LPIPS(weights: weights)
        let distance = try lpips.distance(a.values, to: lpips.prepareTarget(b.values, height: height, width: width,
                                                                             forGradients: false))
        print(String(format: "%.6f", distance.value) + (weights.trunkIsRandom ? "  (RANDOM TRUNK)" : ""))
    }

    /// Explicit files, else the default locations; a missing trunk falls back to a random one, missing heads
    /// are an error (they are small and always obtainable with scripts/fetch-lpips-heads).
    static func loadWeights(net: LPIPSNet, trunk: String?, heads: String?) throws -> LPIPSWeights {
        let headsURL = URL(fileURLWithPath: heads ?? "models/lpips/\(net.headsFileName)")
        guard FileManager.default.fileExists(atPath: headsURL.path) else {
            throw ValidationError("\(headsURL.path): LPIPS head file not found (run scripts/fetch-lpips-heads, "
                                  + "or pass --heads)")
        }
        let trunkURL = URL(fileURLWithPath: trunk ?? "models/\(net.trunkFileName)")
        if trunk == nil && !FileManager.default.fileExists(atPath: trunkURL.path) {
            return try .randomTrunk(net: net, heads: headsURL)
        }
        return try .load(net: net, trunk: trunkURL, heads: headsURL)
    }

    static func randomTrunkWarning(_ net: LPIPSNet) -> String {
        """
        WARNING: models/\(net.trunkFileName) not found: LPIPS uses a seeded RANDOM \(net.rawValue) trunk. \
        Distances are NOT perceptual; get the file from https://download.pytorch.org/models/\(net.trunkFileName) \
        (see README) or pass --trunk.

        """
    }
}

extension LPIPSNet: ExpressibleByArgument {}

/// An image as LPIPS input: NHWC floats in [-1, 1].
struct LPIPSInput {
    var height: Int
    var width: Int
    var values: [Float]

    init(_ image: RGBImage) {
        height = image.height
        width = image.width
        values = image.normalizedNHWC()
    }

    /// Area averaging (PyTorch `interpolate(mode='area')`) to height × width, when the size differs.
    mutating func resize(height newHeight: Int, width newWidth: Int) throws {
        guard newHeight != height || newWidth != width else { return }
        let resize = AreaResize(outputHeight: newHeight, outputWidth: newWidth)
        let shape = NHWCShape(batch: 1, height: height, width: width, channels: 3)
        var output = [Float](repeating: 0, count: newHeight * newWidth * 3)
        try output.withUnsafeMutableBufferPointer { try resize.forward(values, shape: shape, output: $0.baseAddress!) }
        (height, width, values) = (newHeight, newWidth, output)
    }
}
