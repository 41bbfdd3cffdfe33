import Foundation

/// A thread-safe FIFO of messages with a timed blocking wait: the daemon's single event loop reads
/// it; the inotify thread, the signal thread and job threads post to it.
final class Mailbox<Message: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var messages: [Message] = []

    func post(_ message: Message) {
        condition.lock()
        messages.append(message)
        condition.signal()
        condition.unlock()
    }

    /// The next message, or nil when `deadline` passes first (nil deadline: wait forever).
    func next(before deadline: Date?) -> Message? {
        condition.lock()
        defer { condition.unlock() }
        while messages.isEmpty {
            if let deadline {
                if !condition.wait(until: deadline) && messages.isEmpty { return nil }
            } else {
                condition.wait()
            }
        }
        return messages.removeFirst()
    }
}
