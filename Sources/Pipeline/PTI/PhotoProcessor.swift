import Foundation
import SIMDKernels

/// A photo in which no face was found (`pivot process` exits 3, the watcher files it as a permanent failure).
public struct NoFaceError: Error, CustomStringConvertible {
    public let file: String
    public var description: String { "\(file): no face found" }
}

/// Runs PTI on one photo: every face is aligned, inverted (pivot), tuned and edited, and the results are
/// written into a folder (specs/pti.md §0; the output contract is in the README):
///
///     report.json
///     face0/aligned.png  inversion.png  reconstruction.png  <edit>_<factor>.png ...  pivot.safetensors
///
/// The caller publishes the folder (it should be a private one, renamed into place when this returns).
public struct PhotoProcessor: Sendable {
    public var models: PTIModels
    public var settings: PTISettings
    public var finder: FaceFinder

    public init(models: PTIModels, settings: PTISettings, finder: FaceFinder) throws {
        try models.edits.check(settings.edits)
        self.models = models
        self.settings = settings
        self.finder = finder
        // PTI's early-stop threshold is calibrated for the ImageNet AlexNet trunk; on a random trunk it would
        // stop tuning at an arbitrary point, so tuning then runs its full step count.
        if models.alex.trunkIsRandom && settings.tuning.lpipsThreshold > 0 {
            self.settings.tuning.lpipsThreshold = 0
            self.models.warnings.append("tuning's early stop at LPIPS \(settings.tuning.lpipsThreshold) is off: "
                                        + "the AlexNet trunk is random, so that threshold means nothing")
        }
    }

    /// The edits to render: the requested ones, or every InterFaceGAN direction at ±2.
    public var edits: [EditRequest] {
        settings.edits.isEmpty ? models.edits.directions.keys.sorted().map { EditRequest(name: $0, factors: [-2, 2]) } : settings.edits
    }

    /// Processes `photo` into `folder` (which must exist). `name` is the photo's name in the report and in
    /// errors (default: the file's name). `log` receives one human line per milestone.
    @discardableResult
    public func process(photo: URL, name: String? = nil, into folder: URL, observe: StepObserver = { _ in },
                        log: (String) -> Void = { _ in }) throws -> PhotoReport {
        // The kernels' reusable buffers serve this photo's thousands of steps; a daemon idles without them.
        defer {
            ScratchPool.releaseAll()
            HeapPolicy.returnFreeMemory()
        }
        let name = name ?? photo.lastPathComponent
        let start = Date()
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: photo)) } catch {
            throw ImageError(file: photo.path, kind: .unreadable, reason: "cannot read file: \(error.localizedDescription)")
        }
        let image = try ImageCodec.decode(bytes, file: photo.path, options: ImageReadOptions(maxPixels: settings.maxPixels))
        var detector = finder
        detector.upsample = settings.upsample
        let found = try detector.faces(pixels: image.pixels, width: image.width, height: image.height)
        guard !found.isEmpty else { throw NoFaceError(file: name) }
        let faces = found.prefix(settings.maxFaces ?? found.count)
        log("\(name): \(image.width)x\(image.height), \(found.count) face\(found.count == 1 ? "" : "s") found, \(faces.count) processed")

        var records: [PhotoReport.FaceRecord] = []
        for (index, face) in faces.enumerated() {
            let faceFolder = folder.appendingPathComponent("face\(index)")
            try FileManager.default.createDirectory(at: faceFolder, withIntermediateDirectories: true)
            records.append(try process(face, index: index, of: image, into: faceFolder, observe: observe, log: log))
        }
        var recordedSettings = settings
        recordedSettings.edits = edits   // what was rendered, defaults included
        let report = PhotoReport(
            input: .init(file: name, sha256: bytes.withUnsafeBytes(SHA256.hex), width: image.width,
                         height: image.height),
            model: models.generatorIdentity,
            demo: models.generatorIdentity == nil ? DemoModels.generatorDescription : nil, generator: models.generatorConfig,
            lpips: ["vgg": models.vgg.trunkIsRandom ? "random trunk" : "torchvision trunk",
                    "alex": models.alex.trunkIsRandom ? "random trunk" : "torchvision trunk"],
            editFiles: models.edits.sources, settings: recordedSettings, warnings: models.warnings, faces: records,
            totalSeconds: Date().timeIntervalSince(start))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(try encoder.encode(report) + Data("\n".utf8), to: folder.appendingPathComponent("report.json"))
        return report
    }

    private func process(_ face: FoundFace, index: Int, of image: RGBImage, into folder: URL, observe: StepObserver,
                         log: (String) -> Void) throws -> PhotoReport.FaceRecord {
        let generator = models.generator, resolution = generator.resolution
        var stages: [PhotoReport.StageRecord] = []
        var files: [String] = []
        func timed<T>(_ name: String, steps: (T) -> Int = { _ in 1 }, _ body: () throws -> T) rethrows -> T {
            let start = Date()
            let result = try body()
            stages.append(.init(name: name, seconds: Date().timeIntervalSince(start), steps: steps(result)))
            return result
        }
        func save(_ values: [Float], as stem: String) throws -> RGBImage {
            let rendered = RGBImage(normalizedNHWC: values, width: resolution, height: resolution)
            for output in settings.outputs {
                let name = "\(stem).\(output.fileExtension)"
                try ImageCodec.write(rendered, to: folder.appendingPathComponent(name), as: output.encoding)
                files.append(name)
            }
            return rendered
        }

        let aligned = try timed("align") { try face.aligned(in: image, variant: settings.alignment, outputSize: resolution) }
        try ImageCodec.write(aligned.image, to: folder.appendingPathComponent("aligned.png"), as: .png)
        files.append("aligned.png")
        let target = aligned.image.normalizedNHWC()
        let alexTarget = try models.alex.prepareTarget(target, height: resolution, width: resolution, forGradients: false)
        func metrics(_ rendered: [Float], _ bytes: RGBImage) throws -> (lpips: Double, psnr: Double) {
            (try models.alex.distance(rendered, to: alexTarget).value, bytes.psnr(to: aligned.image))
        }
        var metricValues: [String: Double] = [:]

        log("face \(index): inverting (\(settings.projector.steps) steps)")
        let projector = Projector(settings: settings.projector, lpips: models.vgg)
        let projection = try timed("invert", steps: { $0.losses.count }) {
            try projector.project(target, generator: generator, observe: observe)
        }
        // The projector's own measure (LPIPS-VGG) at its start point and at the pivot; it renders with the
        // generator's noise_const, as every later stage does.
        let start = generator.synthesis.forward(ws: projection.start.rows, keep: false).image
        metricValues["lpips_alex_w_avg"] = try models.alex.distance(start, to: alexTarget).value
        let ws = projection.pivot.rows
        let inversion = generator.synthesis.forward(ws: ws, keep: false).image
        let vgg = try projector.distances([start, inversion], to: target, resolution: resolution)
        (metricValues["lpips_vgg_w_avg"], metricValues["lpips_vgg_inversion"]) = (vgg[0], vgg[1])
        let inversionImage = try save(inversion, as: "inversion")
        (metricValues["lpips_alex_inversion"], metricValues["psnr_inversion"]) = try metrics(inversion, inversionImage)
        try writePivot(projection, synthesis: generator.synthesis, to: folder.appendingPathComponent("pivot.safetensors"))
        files.append("pivot.safetensors")

        log("face \(index): tuning (up to \(settings.tuning.steps) steps)")
        let tuner = PivotalTuner(settings: settings.tuning, lpips: models.alex)
        let tuning = try timed("tune", steps: { $0.stepsTaken }) {
            try tuner.tune(generator, pivot: projection.pivot, target: target, observe: observe)
        }
        var tuned = generator
        tuned.synthesis = tuning.synthesis
        let reconstruction = tuned.synthesis.forward(ws: ws, keep: false).image
        let reconstructionImage = try save(reconstruction, as: "reconstruction")
        (metricValues["lpips_alex_reconstruction"], metricValues["psnr_reconstruction"]) = try metrics(reconstruction, reconstructionImage)

        let edits = self.edits
        try timed("edit", steps: { _ in edits.reduce(0) { $0 + $1.factors.count } }) {
            for edit in edits {
                for factor in edit.factors {
                    let code = try models.edits.applied(edit.name, factor: factor, to: projection.pivot,
                                                             halvingInterFaceGAN: settings.halvesInterFaceGANFactors)
                    _ = try save(tuned.synthesis.forward(ws: code.rows, keep: false).image,
                                 as: EditRequest.outputStem(name: edit.name, factor: factor))
                }
            }
        }
        if settings.saveGenerator {
            try Safetensors.write(tuned.stateDict(config: models.generatorConfig), metadata: [
                GeneratorWeights.configMetadataKey: String(decoding: try JSONEncoder().encode(models.generatorConfig), as: UTF8.self),
            ], to: folder.appendingPathComponent("generator.safetensors").path)
            files.append("generator.safetensors")
        }
        log(String(format: "face %d: LPIPS-alex %.4f at w_avg, %.4f inverted, %.4f reconstructed (%d tuning steps)",
                   index, metricValues["lpips_alex_w_avg"]!, metricValues["lpips_alex_inversion"]!,
                   metricValues["lpips_alex_reconstruction"]!, tuning.stepsTaken))
        return PhotoReport.FaceRecord(
            index: index, detection: FaceReport.Face(face, quad: aligned.quad.map { [$0.x, $0.y] }, image: "aligned.png"),
            files: files, stages: stages, invertLoss: PhotoReport.sampled(projection.losses),
            tuneLoss: PhotoReport.sampled(tuning.losses), tuneStoppedEarly: tuning.stoppedEarly, metrics: metricValues)
    }

    /// `w_p` as [1, num_ws, w_dim] (PTI's pivot shape) and the projector's fitted noise maps.
    private func writePivot(_ projection: Projection, synthesis: SynthesisNetwork, to url: URL) throws {
        var tensors = NamedTensors(source: url.path)
        let pivot = projection.pivot
        tensors.set("w_p", try CheckpointTensor(floats: pivot.values, shape: [1, pivot.numWs, pivot.wDim]))
        for (i, map) in projection.noiseMaps.enumerated() {
            let r = synthesis.layers[i].resolution
            tensors.set("noise.\(synthesis.layerName(i))", try CheckpointTensor(floats: map, shape: [r, r]))
        }
        try Safetensors.write(tensors, metadata: ["pivot.latent_space": settings.projector.latentSpace.rawValue], to: url.path)
    }

    private func write(_ data: Data, to url: URL) throws {
        try AtomicFile.write(to: url.path) { try $0.write([UInt8](data)) }
    }
}

