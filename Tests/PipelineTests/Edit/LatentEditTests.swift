import Foundation
import Testing
import Pipeline
import PivotTestSupport


/// A W pivot with distinct, non-trivial values (sin pattern), repeated over `numWs` layers.
private func samplePivot(numWs: Int = 18, wDim: Int = 512) -> LatentCode {
    LatentCode(repeating: (0..<wDim).map { Float(sin(Double($0) * 0.37)) * 1.3 }, numWs: numWs)
}

private func dot(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Double {
    zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

@Suite struct InterFaceGANEditTests {
    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: ["age", "smile", "rotation"])
    func realDirectionsLoadAsUnitVectors(name: String) throws {
        let direction = try LatentDirection.load(path: Fixtures.url("directions/\(name).pt").path, name: name)
        #expect(direction.rows.count == 1 && direction.wDim == 512)
        #expect(abs(dot(direction.rows[0], direction.rows[0]) - 1) < 1e-5)
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func addsFactorTimesDirectionOnEveryLayer() throws {
        let age = try LatentDirection.load(path: Fixtures.url("directions/age.pt").path, name: "age")
        #expect(abs(Double(age.rows[0].min()!) - -0.1651) < 1e-4 && abs(Double(age.rows[0].max()!) - 0.1442) < 1e-4)
        let pivot = samplePivot()
        for factor: Float in [-3, -0.5, 2] {
            let edited = try age.applied(to: pivot, factor: factor)
            for layer in [0, 7, 17] {
                // Moving by f along a unit vector moves the projection by exactly f.
                let moved = dot(edited.row(layer), age.rows[0]) - dot(pivot.row(layer), age.rows[0])
                #expect(abs(moved - Double(factor)) < 1e-4, "factor \(factor) layer \(layer): \(moved)")
                for j in [0, 100, 511] {
                    #expect(edited.row(layer)[edited.row(layer).startIndex + j] == pivot.values[j] + factor * age.rows[0][j])
                }
            }
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func zeroFactorReproducesThePivotExactly() throws {
        let smile = try LatentDirection.load(path: Fixtures.url("directions/smile.pt").path, name: "smile")
        let pivot = samplePivot()
        #expect(try smile.applied(to: pivot, factor: 0) == pivot)
    }

    @Test func perLayerDirectionsApplyRowByRow() throws {
        let rows = (0..<4).map { layer in (0..<8).map { Float(layer * 10 + $0) } }
        let direction = try LatentDirection(name: "per-layer", rows: rows)
        let edited = try direction.applied(to: LatentCode(numWs: 4, wDim: 8, values: .init(repeating: 1, count: 32)), factor: 2)
        #expect(edited.values[3 * 8 + 5] == 1 + 2 * 35)
        #expect(edited.values[0] == 1)
    }

    @Test func mismatchedSizesAreClearErrors() throws {
        let direction = try LatentDirection(name: "d", rows: [[1, 2, 3]])
        #expect(throws: EditError.self) { try direction.applied(to: samplePivot(numWs: 2, wDim: 4), factor: 1) }
        let threeRows = try LatentDirection(name: "d3", rows: [[1], [2], [3]])
        #expect(throws: EditError.self) { try threeRows.applied(to: samplePivot(numWs: 4, wDim: 1), factor: 1) }
        #expect(throws: EditError.self) { try LatentDirection(name: "nan", rows: [[.nan]]) }
        #expect(throws: EditError.self) { try LatentDirection(name: "empty", rows: []) }
    }
}

@Suite struct GANSpaceEditTests {
    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func pcaFileIsReadThroughItsTransposedStrides() throws {
        let pca = try GANSpacePCA.load(path: Fixtures.url("directions/ffhq_pca.pt").path)
        #expect(pca.components.count == 80 && pca.wDim == 512)
        // Every component has unit norm only if the [512][80] storage was read with its strides.
        for k in [0, 1, 46, 79] { #expect(abs(dot(pca.components[k], pca.components[k]) - 1) < 1e-4, "comp \(k)") }
        #expect(abs(dot(pca.components[0], pca.components[1])) < 1e-4)
        let firstStds: [Float] = [2.8556, 2.6267, 2.5941, 2.4175, 2.2656]
        for (s, e) in zip(pca.standardDeviations, firstStds) { #expect(abs(s - e) < 1e-4) }
        #expect(abs(dot(pca.mean, pca.mean).squareRoot() - 4.1208) < 1e-3)
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing), arguments: GANSpacePreset.allCases)
    func setModeSetsTheCoordinateOnTheChosenLayersOnly(preset: GANSpacePreset) throws {
        let pca = try GANSpacePCA.load(path: Fixtures.url("directions/ffhq_pca.pt").path)
        let pivot = samplePivot()
        let edited = try pca.applied(to: pivot, component: preset.component, layers: preset.layers,
                                     strength: preset.defaultStrength)
        let comp = pca.components[preset.component]
        let sigma = Double(pca.standardDeviations[preset.component])
        for layer in 0..<pivot.numWs {
            let centred = zip(edited.row(layer), pca.mean).map { $0 - $1 }
            let coordinate = dot(centred, comp) / sigma
            if preset.layers.contains(layer) {
                #expect(abs(coordinate - Double(preset.defaultStrength)) < 1e-3, "layer \(layer): \(coordinate)")
            } else {
                #expect(Array(edited.row(layer)) == Array(pivot.row(layer)), "layer \(layer) must be untouched")
            }
        }
    }

    @Test(.enabled(if: fixturesPresent, fixturesMissing))
    func addModeShiftsByStrengthStandardDeviations() throws {
        let pca = try GANSpacePCA.load(path: Fixtures.url("directions/ffhq_pca.pt").path)
        let pivot = samplePivot()
        let edited = try pca.applied(to: pivot, component: 3, layers: 0..<2, strength: 2, mode: .add)
        let moved = dot(edited.row(1), pca.components[3]) - dot(pivot.row(1), pca.components[3])
        #expect(abs(moved - 2 * Double(pca.standardDeviations[3])) < 1e-3)
        #expect(Array(edited.row(2)) == Array(pivot.row(2)))
    }

    @Test func outOfRangeRequestsAreClearErrors() throws {
        let pca = try GANSpacePCA(mean: [0, 0], components: [[1, 0]], standardDeviations: [1])
        let code = LatentCode(numWs: 3, wDim: 2, values: .init(repeating: 0, count: 6))
        #expect(throws: EditError.self) { try pca.applied(to: code, component: 1, layers: 0..<1, strength: 1) }
        #expect(throws: EditError.self) { try pca.applied(to: code, component: 0, layers: 2..<4, strength: 1) }
        #expect(throws: EditError.self) { try GANSpacePCA(mean: [0], components: [[1, 0]], standardDeviations: [1]) }
    }
}
