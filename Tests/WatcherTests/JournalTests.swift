import Foundation
import Testing
import PivotTestSupport
import Watcher

@Suite struct JournalTests {
    private func record(_ op: JournalRecord.Operation, _ id: String, _ edit: (inout JournalRecord) -> Void = { _ in }) -> JournalRecord {
        var r = JournalRecord(op, id: id, time: 1000)
        edit(&r)
        return r
    }

    @Test func replayFollowsEachJobThroughItsLife() throws {
        let folder = try temporaryFolder("journal")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.jsonl"
        let journal = try Journal(path: path)
        try journal.append(record(.queued, "00000001") { $0.name = "a.jpg"; $0.source = "sub/a.jpg" })
        try journal.append(record(.started, "00000001") { $0.attempt = 1 })
        try journal.append(record(.retry, "00000001") { $0.notBefore = 2000; $0.stage = "copy"; $0.message = "disk full"; $0.kind = .transient })
        try journal.append(record(.started, "00000001") { $0.attempt = 2 })
        try journal.append(record(.succeeded, "00000001") { $0.outputs = "a"; $0.archived = "a.jpg" })
        try journal.append(record(.queued, "00000002") { $0.name = "b.jpg" })
        try journal.append(record(.started, "00000002") { $0.attempt = 1 })
        let book = try Journal.replay(path)
        let a = try #require(book["00000001"])
        #expect(a.phase == .succeeded && a.attempt == 2 && a.transientFailures == 1 && a.interruptions == 0)
        #expect(a.source == "sub/a.jpg" && a.outputs == "a" && a.lastError?.message == "disk full")
        #expect(book["00000002"]?.phase == .running)
        #expect(book.nextSequence == 3)
    }

    @Test func aTornLastLineIsDroppedAndLaterAppendsStayReadable() throws {
        let folder = try temporaryFolder("journal")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.jsonl"
        do {
            let journal = try Journal(path: path)
            try journal.append(record(.queued, "00000001") { $0.name = "a.jpg" })
        }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"op\":\"started\",\"id\":\"0000".utf8))
        try handle.close()
        let journal = try Journal(path: path)
        try journal.append(record(.started, "00000001") { $0.attempt = 1 })
        let (records, _) = try Journal.read(path)
        #expect(records.map(\.op) == [.queued, .started])
    }

    @Test func aSecondStartWithoutAnOutcomeCountsAsAnInterruption() throws {
        var book = JobBook()
        book.apply(record(.queued, "00000007") { $0.name = "x.jpg" })
        book.apply(record(.started, "00000007") { $0.attempt = 1 })
        book.apply(record(.started, "00000007") { $0.attempt = 2 })
        #expect(book["00000007"]?.interruptions == 1)
        book.apply(record(.requeued, "00000007"))
        book.apply(record(.started, "00000007") { $0.attempt = 3 })
        #expect(book["00000007"]?.interruptions == 1)
        #expect(book.allocateID() == "00000008")
    }

    @Test func compactedJournalRestartsTheSequence() throws {
        let folder = try temporaryFolder("journal")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/journal.jsonl"
        let journal = try Journal(path: path)
        var sequence = JournalRecord(.sequence)
        sequence.next = 42
        try journal.rewrite([sequence])
        var book = try Journal.replay(path)
        #expect(book.allocateID() == "00000042")
    }
}
