import Testing
import Pipeline

@Test func versionIsSemantic() {
    #expect(PivotVersion.string.split(separator: ".").count == 3)
}
