import Foundation

/// Where PTI's weight files are. Every entry is optional: a missing generator means the built-in demo
/// generator, a missing trunk a seeded random one (both stated in the log and in every report).
public struct PTIModelFiles: Sendable, Codable, Equatable {
    /// A checkpoint path or a model-store name (`pivot models import`).
    public var model: String?
    /// torchvision `vgg16-397923af.pth` and `alexnet-owt-7be5be79.pth`.
    public var vggTrunk: String?
    public var alexTrunk: String?
    /// The `lpips` package's `weights/v0.1/vgg.pth` and `alex.pth`.
    public var vggHeads: String?
    public var alexHeads: String?
    /// InterFaceGAN direction files (`age.pt`, ...; the edit name is the file's stem) and GANSpace PCA files
    /// (`ffhq_pca.pt`, recognised by their `comp` tensor).
    public var directions: [String] = []

    public init(model: String? = nil, vggTrunk: String? = nil, alexTrunk: String? = nil, vggHeads: String? = nil,
                alexHeads: String? = nil, directions: [String] = []) {
        self.model = model
        self.vggTrunk = vggTrunk
        self.alexTrunk = alexTrunk
        self.vggHeads = vggHeads
        self.alexHeads = alexHeads
        self.directions = directions
    }

    /// Fills the unset LPIPS entries from the README's layout under `folder` (`models/`):
    /// `vgg16-397923af.pth`, `alexnet-owt-7be5be79.pth`, `lpips/{vgg,alex}.pth`, and `directions/*`.
    public func withDefaults(in folder: String) -> PTIModelFiles {
        func existing(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? path : nil }
        var files = self
        files.vggTrunk = vggTrunk ?? existing("\(folder)/\(LPIPSNet.vgg.trunkFileName)")
        files.alexTrunk = alexTrunk ?? existing("\(folder)/\(LPIPSNet.alex.trunkFileName)")
        files.vggHeads = vggHeads ?? existing("\(folder)/lpips/\(LPIPSNet.vgg.headsFileName)")
        files.alexHeads = alexHeads ?? existing("\(folder)/lpips/\(LPIPSNet.alex.headsFileName)")
        if directions.isEmpty, model != nil {
            let folder = "\(folder)/directions"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            files.directions = names.filter { name in [".pt", ".pth", ".npy", ".safetensors"].contains { name.hasSuffix($0) } }
                .sorted().map { "\(folder)/\($0)" }
        }
        return files
    }
}
