import CLibGit2
import Foundation

extension StateRepo {
    /// Refuses a repo whose HEAD names a commit that is not there, or whose HEAD tree is missing: every command
    /// would fail later on it, and a run must not write anything before it can be recorded.
    func checkHead() throws {
        lock.lock()
        defer { lock.unlock() }
        guard var id = try headID() else { return }
        var commit: OpaquePointer?
        let rc = git_commit_lookup(&commit, try repository, &id)
        if rc < 0 {
            let detail = LibGit2.lastError(rc, "read HEAD").detail
            throw StateRepoError.brokenHead(
                path: path, reason: "HEAD points to commit \(LibGit2.hex(&id)), which cannot be read (\(detail))")
        }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try checkObject(git_commit_tree(&tree, commit), git_commit_tree_id(commit).pointee, "tree of HEAD")
        git_tree_free(tree)
    }

    /// Like `LibGit2.check`, but an object that is not in the object database is `missingObject`, naming it.
    @discardableResult
    func checkObject(_ code: Int32, _ id: git_oid, _ what: String) throws -> Int32 {
        guard code < 0 else { return code }
        var id = id
        let error = LibGit2.lastError(code, "read \(what)")
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALID.rawValue {
            throw StateRepoError.missingObject(path: path, object: LibGit2.hex(&id), what: what, reason: error.detail)
        }
        throw error
    }
}
