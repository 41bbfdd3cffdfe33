import Pipeline
import PivotTestSupport
import Testing

/// The scalar oracle against PyTorch's `lpips` 0.1.4 outputs (random trunks, real heads).
@Suite struct ReferenceLPIPSFixtureTests {
    @Test(.enabled(if: Fixtures.available, Comment(rawValue: Fixtures.missingMessage)),
          arguments: LPIPSFixture.cases)
    func oracleMatchesPyTorch(net: LPIPSNet, tag: String) throws {
        let fixture = try LPIPSFixture(net: net, tag: tag)
        let reference = try fixture.reference()
        let x0 = fixture.referenceImage(fixture.x0), x1 = fixture.referenceImage(fixture.x1)
        let (result, referenceGradient) = reference.distanceAndGradient(x0, x1)
        let distanceError = abs(result.distance - Double(fixture.distance)) / Double(fixture.distance)
        #expect(distanceError <= 1e-5, "\(net) \(tag): distance \(result.distance) vs \(fixture.distance)")
        for k in 0..<5 {
            let layerError = abs(result.layerTerms[k] - Double(fixture.layerTerms[k])) / Double(fixture.layerTerms[k])
            #expect(layerError <= 1e-4, "\(net) \(tag) layer \(k): \(result.layerTerms[k]) vs \(fixture.layerTerms[k])")
        }
        let gradient = compare(referenceGradient.values, fixture.gradient)
        #expect(gradient.relativeToMax <= 1e-3, "\(net) \(tag) gradient: \(gradient)")
        print("oracle \(net) \(tag): distance rel err \(distanceError), gradient \(gradient)")
    }
}
