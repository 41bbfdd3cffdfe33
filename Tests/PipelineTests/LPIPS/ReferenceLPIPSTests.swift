import PivotTestSupport
import Testing

/// Checks of the scalar oracle itself: its gradient against central finite differences on tiny random trunks.
@Suite struct ReferenceLPIPSTests {
    @Test(arguments: [(13, 11), (10, 10), (17, 12)])
    func gradientMatchesFiniteDifferences(height: Int, width: Int) {
        var rng = SplitMix64(seed: UInt64(height * 100 + width))
        let net = TinyTrunk(seed: rng.next()).reference()
        let x0 = ReferenceImage(rgb: TinyTrunk.image(height: height, width: width, &rng), height: height, width: width)
        let x1 = ReferenceImage(rgb: TinyTrunk.image(height: height, width: width, &rng), height: height, width: width)
        let analytic = net.distanceAndGradient(x0, x1).gradient
        var numeric = [Double](repeating: 0, count: x0.values.count)
        let step = 1e-6
        for i in x0.values.indices {
            var plus = x0, minus = x0
            plus.values[i] += step
            minus.values[i] -= step
            numeric[i] = (net.distance(plus, x1).distance - net.distance(minus, x1).distance) / (2 * step)
        }
        let c = compare(analytic.values, numeric)
        #expect(c.maxAbsReference > 0)
        #expect(c.relativeToMax < 1e-6, "\(c)")
    }

    @Test func distanceIsZeroForEqualImagesAndSumsItsLayers() {
        var rng = SplitMix64(seed: 5)
        let net = TinyTrunk(seed: 6).reference()
        let x0 = ReferenceImage(rgb: TinyTrunk.image(height: 10, width: 12, &rng), height: 10, width: 12)
        let x1 = ReferenceImage(rgb: TinyTrunk.image(height: 10, width: 12, &rng), height: 10, width: 12)
        #expect(net.distance(x0, x0).distance == 0)
        let r = net.distance(x0, x1)
        #expect(r.layerTerms.count == 3)
        #expect(abs(r.layerTerms.reduce(0, +) - r.distance) < 1e-15)
        #expect(r.distance > 0)
    }
}
