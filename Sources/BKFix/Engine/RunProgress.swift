import Foundation
import Synchronization

/// A run's record while it runs, shared by the hosts that apply at once: every change to it, and every journal write
/// made from it, goes through `update`, one at a time, so the journal always holds one consistent record.
final class RunProgress: Sendable {
    struct State {
        var record: RunRecord
        /// The content each written file has now, for the final commit (`RunStore.hostPath` → bytes or absent).
        var contents: [String: Data?] = [:]
        /// With `--keep-going`: the hosts that failed (or could not be reached while planning) and why.
        var failedHosts: [String: String]
        /// Without `--keep-going`: the failed steps of the segment running now, by change index.
        var failures: [(index: Int, message: String)] = []
        /// What each node's checks will read, read right after its last write (ApplySchedule says when that holds).
        var verifySnapshots: [String: [String: PathInspection]] = [:]
    }

    private let state: Mutex<State>

    init(record: RunRecord, failedHosts: [String: String]) {
        state = Mutex(State(record: record, failedHosts: failedHosts))
    }

    func update<T>(_ body: (inout State) throws -> T) rethrows -> T {
        try state.withLock { s in try body(&s) }
    }
}
