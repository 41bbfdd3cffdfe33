import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// The whole PTI pipeline on the tiny NVlabs fixture generator (32×32) and a real photo, with short
/// schedules so it runs in seconds. LPIPS trunks are seeded random ones (no torchvision files in tests).
@Suite(.enabled(if: fixturesPresent && SharedModels.shapePredictorAvailable, fixturesMissing))
struct PTIPipelineTests {
    static let photo = Fixtures.url("faces/grace_hopper.jpg")

    static func models() throws -> PTIModels {
        try PTIModels.load(PTIModelFiles(model: Fixtures.url("stylegan2/tiny32.pkl").path,
                                         directions: [Fixtures.url("directions/age.pt").path,
                                                      Fixtures.url("directions/ffhq_pca.pt").path]))
    }

    static func processor(invertSteps: Int, tuneSteps: Int, edits: [String], saveGenerator: Bool = false) throws -> PhotoProcessor {
        var options = PTIOptions()
        options.invertSteps = invertSteps
        options.tuneSteps = tuneSteps
        options.edits = edits
        options.saveGenerator = saveGenerator
        options.modelsFolder = "/nonexistent"
        let (_, settings) = try options.resolved()
        return try PhotoProcessor(models: models(), settings: settings,
                                  finder: FaceFinder(detector: SharedModels.detector!, predictor: SharedModels.shapePredictor!))
    }

    @Test func writesTheWholeContractAndEachStageImproves() throws {
        let processor = try Self.processor(invertSteps: 60, tuneSteps: 40, edits: ["age=-3,0,3", "gs_smile=-6"], saveGenerator: true)
        let folder = URL(fileURLWithPath: try temporaryFolder("pti"))
        defer { try? FileManager.default.removeItem(at: folder) }
        var reported: [String: Int] = [:]
        let report = try processor.process(photo: Self.photo, into: folder, observe: { reported[$0.stage] = $0.step })

        let face = folder.appendingPathComponent("face0")
        for name in ["aligned.png", "inversion.png", "reconstruction.png", "age_-3.png", "age_0.png", "age_3.png",
                     "gs_smile_-6.png", "pivot.safetensors", "generator.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: face.appendingPathComponent(name).path), "missing \(name)")
        }
        #expect(reported == ["invert": 60, "tune": report.faces[0].stages.first { $0.name == "tune" }!.steps])
        let decoded = try JSONDecoder().decode(PhotoReport.self, from: Data(contentsOf: folder.appendingPathComponent("report.json")))
        #expect(decoded.input.sha256 == report.input.sha256 && decoded.input.sha256.count == 64)
        #expect(decoded.settings.edits.map(\.name) == ["age", "gs_smile"])
        #expect(decoded.settings.projector.steps == 60 && decoded.model?.sha256.count == 64 && decoded.demo == nil)
        #expect(decoded.warnings.contains { $0.contains("RANDOM trunk") })

        let m = report.faces[0].metrics
        #expect(m["lpips_vgg_inversion"]! < m["lpips_vgg_w_avg"]!, "inversion should beat the start point: \(m)")
        #expect(m["lpips_alex_reconstruction"]! < m["lpips_alex_inversion"]!, "tuning should beat inversion: \(m)")
        #expect(m["psnr_reconstruction"]! > m["psnr_inversion"]!)

        // An edit with factor 0 is the reconstruction, byte for byte.
        let zero = try Data(contentsOf: face.appendingPathComponent("age_0.png"))
        #expect(zero == (try Data(contentsOf: face.appendingPathComponent("reconstruction.png"))))

        // The pivot file holds w_p as [1, num_ws, w_dim]; the saved generator reloads and renders the reconstruction.
        let pivotFile = try CheckpointFile.open(face.appendingPathComponent("pivot.safetensors").path)
        #expect(try pivotFile.tensors.tensor("w_p").shape == [1, 8, 512])
        let pivot = LatentCode(numWs: 8, wDim: 512, values: try pivotFile.tensors.floats("w_p"))
        let tuned = try PTIModels.load(PTIModelFiles(model: face.appendingPathComponent("generator.safetensors").path)).generator
        let rendered = RGBImage(normalizedNHWC: tuned.synthesis.forward(ws: pivot.rows, keep: false).image, width: 32, height: 32)
        #expect(rendered == (try ImageCodec.read(face.appendingPathComponent("reconstruction.png"))))
    }

    @Test func sameInputAndSeedGiveTheSameBytes() throws {
        let processor = try Self.processor(invertSteps: 8, tuneSteps: 4, edits: ["age=2"])
        var contents: [[String: Data]] = []
        for _ in 0..<2 {
            let folder = URL(fileURLWithPath: try temporaryFolder("pti"))
            defer { try? FileManager.default.removeItem(at: folder) }
            try processor.process(photo: Self.photo, into: folder)
            let face = folder.appendingPathComponent("face0")
            let names = try FileManager.default.contentsOfDirectory(atPath: face.path)
            contents.append(Dictionary(uniqueKeysWithValues: try names.map { ($0, try Data(contentsOf: face.appendingPathComponent($0))) }))
        }
        #expect(contents[0].keys.sorted() == ["age_2.png", "aligned.png", "inversion.png", "pivot.safetensors", "reconstruction.png"])
        #expect(contents[0] == contents[1])
    }

    @Test func aPhotoWithoutAFaceIsRefused() throws {
        let processor = try Self.processor(invertSteps: 1, tuneSteps: 1, edits: [])
        let folder = URL(fileURLWithPath: try temporaryFolder("pti"))
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: NoFaceError.self) { try processor.process(photo: Fixtures.url("faces/dogs.jpg"), into: folder) }
    }

    @Test func unknownEditsFailBeforeAnyWork() throws {
        #expect(throws: EditError.self) { try Self.processor(invertSteps: 1, tuneSteps: 1, edits: ["beard=2"]) }
    }
}

@Suite(.enabled(if: fixturesPresent, fixturesMissing))
struct PTIStageTests {
    static let generator = try! PTIModels.load(PTIModelFiles(model: Fixtures.url("stylegan2/tiny32.pkl").path)).generator
    static let alex = try! LPIPS(weights: .randomTrunk(net: .alex, heads: LPIPSNet.alex.architecture.tapChannels.map { [Float](repeating: 0.1, count: $0) }))
    static let vgg = try! LPIPS(weights: .randomTrunk(net: .vgg, heads: LPIPSNet.vgg.architecture.tapChannels.map { [Float](repeating: 0.1, count: $0) }))
    /// A target the generator can make: its own image at a random w.
    static let target = generator.synthesis.forward(ws: generator.ws(z: generator.latent(seed: 7)), keep: false).image

    @Test func tuningStopsBeforeSteppingWhenLPIPSIsBelowTheThreshold() throws {
        var settings = TuningSettings()
        settings.lpipsThreshold = 1e9
        let pivot = LatentCode(repeating: Self.generator.mapping.wAvg, numWs: Self.generator.numWs)
        let tuning = try PivotalTuner(settings: settings, lpips: Self.alex).tune(Self.generator, pivot: pivot, target: Self.target)
        #expect(tuning.stepsTaken == 0 && tuning.stoppedEarly && tuning.losses.count == 1)
        #expect(tuning.synthesis.namedTensors() == Self.generator.synthesis.namedTensors())
    }

    @Test func tuningTrainsEveryParameterButNotTheNoiseBuffers() throws {
        var settings = TuningSettings()
        settings.steps = 2
        let pivot = LatentCode(repeating: Self.generator.mapping.wAvg, numWs: Self.generator.numWs)
        let tuned = try PivotalTuner(settings: settings, lpips: Self.alex).tune(Self.generator, pivot: pivot, target: Self.target).synthesis
        let before = Self.generator.synthesis.namedTensors(), after = tuned.namedTensors()
        for (name, values) in before {
            if name.hasSuffix("noise_const") {
                #expect(after[name] == values, "\(name) must stay fixed")
            } else {
                #expect(after[name] != values, "\(name) was not trained")
            }
        }
    }

    @Test func localityRegularizationAddsItsTerm() throws {
        var settings = TuningSettings()
        settings.steps = 2
        let pivot = LatentCode(repeating: Self.generator.mapping.wAvg, numWs: Self.generator.numWs)
        let plain = try PivotalTuner(settings: settings, lpips: Self.alex).tune(Self.generator, pivot: pivot, target: Self.target)
        settings.locality = LocalityRegularization()
        let regularized = try PivotalTuner(settings: settings, lpips: Self.alex).tune(Self.generator, pivot: pivot, target: Self.target)
        // At step 0 the tuned and original generators agree, so the term and its gradient are zero; from
        // step 1 on it is positive.
        #expect(regularized.losses[0] == plain.losses[0])
        #expect(regularized.losses[1] > plain.losses[1])
        #expect(regularized.synthesis.namedTensors() != plain.synthesis.namedTensors())
    }

    @Test(arguments: [LatentSpace.w, .wPlus])
    func projectorReturnsAPivotOfItsSpace(space: LatentSpace) throws {
        var settings = ProjectorSettings()
        settings.steps = 6
        settings.latentSpace = space
        var steps: [Int] = []
        let projection = try Projector(settings: settings, lpips: Self.vgg).project(Self.target, generator: Self.generator,
                                                                                    observe: { steps.append($0.step) })
        #expect(steps == Array(1...6) && projection.losses.count == 6)
        let rows = projection.pivot.rows
        #expect(rows.count == Self.generator.numWs)
        #expect(Set(rows).count == (space == .w ? 1 : Self.generator.numWs))
        // Every fitted noise map is renormalised: zero mean, unit mean square.
        for map in projection.noiseMaps {
            let mean = map.reduce(0.0) { $0 + Double($1) } / Double(map.count)
            let meanSquare = map.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(map.count)
            #expect(abs(mean) < 1e-4 && abs(meanSquare - 1) < 1e-3)
        }
    }

    @Test func wStatisticsStartFromThe600SeededSamples() {
        let statistics = WStatistics(mapping: Self.generator.mapping)
        var rng = NumpyRandomState(seed: 123)
        var sum = [Double](repeating: 0, count: 512)
        for _ in 0..<600 {
            let w = Self.generator.mapping(rng.gaussians(512).map { Float($0) })
            for j in sum.indices { sum[j] += Double(w[j]) }
        }
        for j in sum.indices { #expect(abs(Double(statistics.mean[j]) - sum[j] / 600) < 1e-5) }
        #expect(statistics.standardDeviation > 0)
    }
}

struct PTIOptionsTests {
    @Test func flagsWinOverTheConfigFile() throws {
        var file = PTIOptions()
        file.invertSteps = 100
        file.format = "jpg"
        var twoFormats = PTIOptions()
        twoFormats.format = "png, webp"
        twoFormats.quality = 100
        #expect(try twoFormats.resolved().settings.outputs.map(\.encoding) == [.png, .webpLossless])
        var flags = PTIOptions()
        flags.invertSteps = 7
        let (_, settings) = try flags.merged(over: file).resolved()
        #expect(settings.projector.steps == 7 && settings.outputs == [OutputEncoding(format: .jpg, quality: 95)])
        #expect(settings.tuning.steps == 350 && settings.tuning.lpipsThreshold == 0.06 && settings.tuning.locality == nil)
    }

    @Test func anUnknownConfigKeyIsAnError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pti-options-\(UUID().uuidString).json")
        try Data(#"{"invertStep": 3}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: PTIOptionsError.self) { try PTIOptions.load(url.path) }
    }

    @Test(arguments: ["w++", "W"])
    func badValuesAreRefused(latent: String) {
        var options = PTIOptions()
        options.latent = latent
        #expect(throws: PTIOptionsError.self) { try options.resolved() }
    }

    @Test func editRequestsParse() throws {
        #expect(try EditRequest(parsing: "age=-3, 3") == EditRequest(name: "age", factors: [-3, 3]))
        #expect(try EditRequest(parsing: "smile") == EditRequest(name: "smile", factors: [-2, 2]))
        #expect(throws: EditError.self) { try EditRequest(parsing: "age=x") }
        #expect(throws: EditError.self) { try EditRequest(parsing: "a/b=1") }
        #expect(EditRequest.outputStem(name: "age", factor: -3) == "age_-3")
        #expect(EditRequest.outputStem(name: "age", factor: 2.5) == "age_2.5")
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func upstreamFactorsHalveInterFaceGANOnly() throws {
        let library = try EditLibrary.load(files: [Fixtures.url("directions/age.pt").path, Fixtures.url("directions/ffhq_pca.pt").path])
        #expect(library.names == ["age", "gs_eye_openness", "gs_smile", "gs_trimmed_beard"])
        let code = LatentCode(repeating: (0..<512).map { Float($0 % 7) / 7 }, numWs: 18)
        #expect(try library.applied("age", factor: 2, to: code, halvingInterFaceGAN: true) == library.applied("age", factor: 1, to: code))
        #expect(try library.applied("gs_smile", factor: 2, to: code, halvingInterFaceGAN: true) == library.applied("gs_smile", factor: 2, to: code))
    }
}
