import Foundation
import Pipeline
import PivotTestSupport
import Testing

/// The fast LPIPS (SIMDKernels, Float, NHWC) against PyTorch's outputs and against the Double oracle.
@Suite struct LPIPSTests {
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: LPIPSFixture.cases)
    func matchesPyTorch(net: LPIPSNet, tag: String) throws {
        let fixture = try LPIPSFixture(net: net, tag: tag)
        let lpips = LPIPS(weights: try .load(net: net, trunk: fixture.trunkURL, heads: fixture.headsURL))
        let target = try lpips.prepareTarget(fixture.x1, height: fixture.height, width: fixture.width)
        let (distance, gradient) = try lpips.distanceAndGradient(fixture.x0, to: target)
        let distanceError = abs(distance.value - Double(fixture.distance)) / Double(fixture.distance)
        #expect(distanceError <= 1e-5, "\(net) \(tag): distance \(distance.value) vs \(fixture.distance)")
        for k in 0..<5 {
            let error = abs(distance.layerTerms[k] - Double(fixture.layerTerms[k])) / Double(fixture.layerTerms[k])
            #expect(error <= 1e-4, "\(net) \(tag) layer \(k): \(distance.layerTerms[k]) vs \(fixture.layerTerms[k])")
        }
        let g = compare(gradient, fixture.gradient)
        #expect(g.relativeToMax <= 1e-3, "\(net) \(tag) gradient: \(g)")
        #expect(try lpips.distance(fixture.x0, to: target).layerTerms == distance.layerTerms)
        print("fast \(net) \(tag): distance rel err \(distanceError), gradient \(g)")
    }

    @Test(arguments: [(13, 11), (10, 10), (24, 17), (40, 33)])
    func tinyTrunkMatchesOracle(height: Int, width: Int) throws {
        var rng = SplitMix64(seed: UInt64(height * 1000 + width))
        let trunk = TinyTrunk(seed: rng.next())
        let x0 = TinyTrunk.image(height: height, width: width, &rng)
        let x1 = TinyTrunk.image(height: height, width: width, &rng)
        let lpips = try trunk.model()
        let (distance, gradient) = try lpips.distanceAndGradient(x0, to: lpips.prepareTarget(x1, height: height, width: width))
        let (expected, expectedGradient) = trunk.reference().distanceAndGradient(
            ReferenceImage(rgb: x0, height: height, width: width), ReferenceImage(rgb: x1, height: height, width: width))
        #expect(abs(distance.value - expected.distance) <= 1e-5 * expected.distance)
        let g = compare(gradient, expectedGradient.values)
        #expect(g.relativeToMax <= 1e-4, "\(g)")
    }

    /// A target prepared for distances only (no backward Winograd weights) gives the same distance, and its
    /// gradient, transformed per call, is the same too. At 288², AlexNet's 5×5 conv2 (35²) is on Winograd.
    @Test func distanceOnlyTargetGivesTheSameResults() throws {
        let net = LPIPSNet.alex, size = 288
        let heads = net.architecture.tapChannels.map { [Float](repeating: 1 / Float($0), count: $0) }
        let lpips = LPIPS(weights: try .randomTrunk(net: net, heads: heads))
        var rng = SplitMix64(seed: 5)
        let image = { (0..<size * size * 3).map { _ in Float.random(in: -1...1, using: &rng) } }
        let (x0, x1) = (image(), image())
        let full = try lpips.prepareTarget(x1, height: size, width: size)
        let distanceOnly = try lpips.prepareTarget(x1, height: size, width: size, forGradients: false)
        let (d, g) = try lpips.distanceAndGradient(x0, to: full)
        let (dOnly, gOnly) = try lpips.distanceAndGradient(x0, to: distanceOnly)
        #expect(dOnly.layerTerms == d.layerTerms && gOnly == g)
        #expect(try lpips.distance(x0, to: distanceOnly).layerTerms == d.layerTerms)
    }

    /// Central differences of the Float model along random directions agree with its gradient. The distance is
    /// computed in Float (about 1e-6 relative at worst), so the quotient carries up to 1e-6·d/step of rounding;
    /// a larger step would cross ReLU and max-pool switches. (The tight check is `tinyTrunkMatchesOracle`.)
    @Test func gradientMatchesFiniteDifferences() throws {
        var rng = SplitMix64(seed: 77)
        let (height, width) = (15, 12)
        let lpips = try TinyTrunk(seed: 78).model()
        let x0 = TinyTrunk.image(height: height, width: width, &rng)
        let target = try lpips.prepareTarget(TinyTrunk.image(height: height, width: width, &rng), height: height, width: width)
        let gradient = try lpips.distanceAndGradient(x0, to: target).gradient
        for _ in 0..<4 {
            let direction = x0.map { _ in Float.random(in: -1...1, using: &rng) }
            let step: Float = 1e-3
            let plus = try lpips.distance(zip(x0, direction).map { $0 + step * $1 }, to: target).value
            let minus = try lpips.distance(zip(x0, direction).map { $0 - step * $1 }, to: target).value
            let numeric = (plus - minus) / (2 * Double(step))
            let analytic = zip(gradient, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rounding = 1e-6 * (plus + minus) / 2 / Double(step)
            #expect(abs(numeric - analytic) <= 1e-3 * abs(analytic) + rounding, "numeric \(numeric) vs analytic \(analytic)")
        }
    }

    /// A flat patch whose scaled value is 0, through a zero-bias trunk, gives all-zero feature columns (N = 0,
    /// where PyTorch's normalisation gradient is 0/0): the input gradient must stay finite and correct.
    @Test func allZeroFeatureColumnsGiveFiniteGradients() throws {
        var rng = SplitMix64(seed: 91)
        let (height, width) = (20, 18)
        let trunk = TinyTrunk(seed: 92, zeroBias: true)
        var x0 = TinyTrunk.image(height: height, width: width, &rng)
        let shift: [Float] = [-0.030, -0.088, -0.188]
        for y in 0..<height / 2 { for x in 0..<width { for c in 0..<3 { x0[(y * width + x) * 3 + c] = shift[c] } } }
        let x1 = TinyTrunk.image(height: height, width: width, &rng)
        let reference = trunk.reference()
        let reference0 = ReferenceImage(rgb: x0, height: height, width: width)
        let tap0 = reference.taps(reference0)[0]
        let zeroColumns = (0..<tap0.pixelCount).filter { p in (0..<tap0.channels).allSatisfy { tap0.values[p * tap0.channels + $0] == 0 } }
        #expect(zeroColumns.count >= width * (height / 2 - 1), "the test image must produce all-zero columns")

        let lpips = try trunk.model()
        let (distance, gradient) = try lpips.distanceAndGradient(x0, to: lpips.prepareTarget(x1, height: height, width: width))
        #expect(distance.value.isFinite)
        #expect(gradient.allSatisfy { $0.isFinite })
        let expected = reference.distanceAndGradient(reference0, ReferenceImage(rgb: x1, height: height, width: width))
        let g = compare(gradient, expected.gradient.values)
        #expect(g.relativeToMax <= 1e-4, "\(g)")
    }

    @Test func rejectsBadInputs() throws {
        let lpips = try TinyTrunk(seed: 3).model()
        var rng = SplitMix64(seed: 4)
        #expect(throws: LPIPSError.self) { try lpips.prepareTarget(TinyTrunk.image(height: 4, width: 4, &rng), height: 4, width: 4) }
        #expect(throws: LPIPSError.self) { try lpips.prepareTarget([0, 0, 0], height: 10, width: 10) }
        let target = try lpips.prepareTarget(TinyTrunk.image(height: 12, width: 12, &rng), height: 12, width: 12)
        #expect(throws: LPIPSError.self) { try lpips.distance(TinyTrunk.image(height: 12, width: 11, &rng), to: target) }
    }

    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)))
    func rejectsMismatchedWeightFiles() throws {
        let alexTrunk = Fixtures.url("lpips/alex_trunk_random.pth"), vggHeads = Fixtures.url("lpips/vgg_lin.pth")
        #expect { try LPIPSWeights.load(net: .alex, trunk: alexTrunk, heads: vggHeads) } throws: { error in
            "\(error)".contains("vgg_lin.pth")
        }
        #expect { try LPIPSWeights.load(net: .vgg, trunk: alexTrunk, heads: vggHeads) } throws: { error in
            "\(error)".contains("alex_trunk_random.pth")
        }
    }
}
