import Testing
import Watcher
import Pipeline

@Test func watcherReportsPipelineVersion() {
    #expect(WatcherInfo.version == PivotVersion.string)
}
