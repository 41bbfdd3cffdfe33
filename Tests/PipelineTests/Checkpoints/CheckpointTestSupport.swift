import Foundation
import Pipeline
import PivotTestSupport

/// Fixture tests are enabled only when the shared fixtures folder exists.
let fixturesPresent = Fixtures.available
let fixturesMissing = Comment(rawValue: Fixtures.missingMessage)

func fixture(_ relative: String) -> String { Fixtures.url(relative).path }

func bitPatterns(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// A fresh empty folder under the system temporary directory.
func temporaryFolder(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "pivot-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

import Testing
