import Foundation

/// One lock per repository path, shared by every `StateRepo` opened on that path in this process, so two handles on
/// the same repo never race to move HEAD. It is recursive: a history walk's visitor may read files of the repo.
final class StateRepoLocks: @unchecked Sendable {
    static let shared = StateRepoLocks()

    private let guardLock = NSLock()
    private var locks: [String: NSRecursiveLock] = [:]

    /// The lock for a standardised repository path.
    func lock(for path: String) -> NSRecursiveLock {
        guardLock.lock()
        defer { guardLock.unlock() }
        if let existing = locks[path] { return existing }
        let created = NSRecursiveLock()
        locks[path] = created
        return created
    }
}
