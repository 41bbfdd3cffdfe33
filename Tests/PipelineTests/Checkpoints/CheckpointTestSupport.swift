import Foundation
import Pipeline
import PivotTestSupport

/// Fixture tests are enabled only when the shared fixtures folder exists.
let fixturesPresent = Fixtures.available
let fixturesMissing = Comment(rawValue: Fixtures.missingMessage)

func fixture(_ relative: String) -> String { Fixtures.url(relative).path }

func bitPatterns(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

import Testing
