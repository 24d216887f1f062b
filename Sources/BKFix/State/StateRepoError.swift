import Foundation

/// Why the state repository could not be opened, read or written.
public enum StateRepoError: LocalizedError, Equatable {
    /// The repository directory could not be created (e.g. its parent is a file or not writable).
    case cannotCreate(path: String, reason: String)
    /// The repository directory exists but bkfix may not write into it.
    case notWritable(path: String)
    /// libgit2 refused an operation; `code` is its (negative) error code.
    case git(operation: String, code: Int32, message: String)
    /// A host file whose path the repo cannot hold (a `.git` component, say): refused before anything is written.
    case unrecordablePath(host: String, path: String)
    /// `.git/bkfix/` (the lock and the journals) cannot be made, e.g. a file of that name is in the way.
    case runtimeDirUnusable(path: String, reason: String)
    /// A file bkfix wrote into a commit (a run record) no longer decodes: the commit was rewritten by hand.
    case corruptRecord(path: String, commit: String, reason: String)
    /// The folder has a `.git` that libgit2 cannot open as a repository.
    case notARepository(path: String, reason: String)
    /// HEAD does not resolve to a readable commit (garbage in `.git/HEAD`, a branch naming a missing commit).
    case brokenHead(path: String, reason: String)
    /// An object the repository refers to is not in its object database (deleted or damaged by hand).
    case missingObject(path: String, object: String, what: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotCreate(let path, let reason):
            return "cannot create the state repository at \(path): \(reason). "
                + "Choose a new or empty folder (--state DIR) or fix the permissions of its parent directory."
        case .notWritable(let path):
            return "the state repository at \(path) is not writable. "
                + "Run bkfix as the user that owns it (usually root) or fix its permissions."
        case .git(let operation, let code, let message):
            return "state repository: git \(operation) failed (libgit2 error \(code)): \(message)"
        case .unrecordablePath(let host, let path):
            return "cannot manage \(path) on \(host): the state repository cannot record a path with a '.git', "
                + "'.' or '..' part or an empty one; nothing was changed"
        case .runtimeDirUnusable(let path, let reason):
            return "state repository: cannot use \(path) for bkfix's lock and journals: \(reason)"
        case .notARepository(let path, let reason):
            return "the state repository at \(path) is not a git repository (\(reason)); nothing was changed. "
                + "Point --state at the right folder, or move this one away to start a new state repository."
        case .brokenHead(let path, let reason):
            return "the state repository at \(path) has a broken HEAD: \(reason); nothing was changed. "
                + "Repair it with git (`git -C \(path) fsck`, `git -C \(path) log`) or restore it from a backup."
        case .missingObject(let path, let object, let what, let reason):
            return "the state repository at \(path) is damaged: git object \(object) (\(what)) is missing "
                + "(\(reason)). `git -C \(path) fsck` lists the damage; restore the object "
                + "or the repository from a backup."
        case .corruptRecord(let path, let commit, let reason):
            return "state repository: \(path) in commit \(commit.prefix(12)) is not a valid run record (\(reason)); "
                + "it was changed by hand: restore it from git (`git log -p -- \(path)` in the state repo)"
        }
    }

    /// libgit2's own message for a `.git` error (the whole description for any other case).
    var detail: String {
        if case .git(_, _, let message) = self { return message }
        return errorDescription ?? "\(self)"
    }
}

extension StateRepoError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .cannotCreate, .notWritable, .git, .runtimeDirUnusable, .corruptRecord, .notARepository, .brokenHead,
            .missingObject:
            return .failure
        case .unrecordablePath: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .cannotCreate, .notWritable, .git, .runtimeDirUnusable, .corruptRecord, .notARepository, .brokenHead,
            .missingObject:
            return "state-repo"
        case .unrecordablePath: return "unrecordable-path"
        }
    }
}
