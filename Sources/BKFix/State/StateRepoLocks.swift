import Foundation

/// One lock per repository path, shared by every `StateRepo` opened on that path in this process, so two handles on
/// the same repo never race to move HEAD.
final class StateRepoLocks: @unchecked Sendable {
    static let shared = StateRepoLocks()

    private let guardLock = NSLock()
    private var locks: [String: NSLock] = [:]

    /// The lock for a standardised repository path.
    func lock(for path: String) -> NSLock {
        guardLock.lock()
        defer { guardLock.unlock() }
        if let existing = locks[path] { return existing }
        let created = NSLock()
        locks[path] = created
        return created
    }
}
