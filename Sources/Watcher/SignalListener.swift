import Foundation

/// Turns SIGTERM, SIGINT and SIGHUP into messages. `blockSignals()` must run before any other
/// thread starts so that every thread inherits the mask and only `sigwait` here receives them.
enum SignalListener {
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    static func blockSignals() {
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    static func start(_ post: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread {
            var set = signalSet()
            while true {
                var signal: Int32 = 0
                if sigwait(&set, &signal) == 0 { post(signal) }
            }
        }
        thread.name = "signals"
        thread.start()
    }

    private static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handled { sigaddset(&set, signal) }
        return set
    }
}
