import CLibGit2
import Foundation

/// The state repo is private to its owner: every folder 0700, every file 0600, git's read-only files (objects,
/// packs) 0400. Its records hold hosts files and command output, which may be secret.
enum StatePermissions {
    static let directoryMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600
    static let readOnlyFileMode: mode_t = 0o400

    /// Makes `path` and everything under it private (symlinks are left alone; their targets are not ours).
    static func tighten(tree path: String) {
        tighten(path)
        guard let walker = FileManager.default.enumerator(atPath: path) else { return }
        for case let relative as String in walker {
            tighten((path as NSString).appendingPathComponent(relative))
        }
    }

    /// Makes one file or folder private: folders 0700; files 0600, or 0400 when nobody could write them.
    static func tighten(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let wanted: mode_t
        switch info.st_mode & S_IFMT {
        case S_IFDIR: wanted = directoryMode
        case S_IFREG: wanted = info.st_mode & 0o200 == 0 ? readOnlyFileMode : fileMode
        default: return
        }
        if info.st_mode & 0o7777 != wanted { _ = chmod(path, wanted) }
    }
}

extension StateRepo {
    /// Loose objects are written 0400 in 0700 fan-out folders (libgit2's defaults are 0444 and 0777 minus umask):
    /// the repository's object database is replaced by one with the same two backends and private modes.
    static func usePrivateObjectDatabase(_ repository: OpaquePointer, path: String) throws {
        let objects = path + "/.git/objects"
        var odb: OpaquePointer?
        try LibGit2.check(git_odb_new(&odb), "open object database")
        defer { git_odb_free(odb) }
        var packed: OpaquePointer?
        try LibGit2.check(git_odb_backend_pack(&packed, objects), "open packs")
        try LibGit2.check(git_odb_add_backend(odb, packed, 2), "open packs")
        var loose: OpaquePointer?
        try LibGit2.check(
            git_odb_backend_loose(
                &loose, objects, -1, 1, UInt32(StatePermissions.directoryMode),
                UInt32(StatePermissions.readOnlyFileMode)),
            "open loose objects")
        try LibGit2.check(git_odb_add_backend(odb, loose, 1), "open loose objects")
        try LibGit2.check(git_repository_set_odb(repository, odb), "open object database")
    }

    /// The files a commit rewrites that libgit2 creates with the umask's mode: the index and the branch (and its
    /// reflog in a repo made before reflogs were turned off).
    func tightenAfterCommit() {
        let git = path + "/.git/"
        for name in ["index", "HEAD", "packed-refs", "logs/HEAD"] { StatePermissions.tighten(git + name) }
        var head: OpaquePointer?
        guard let repository = try? repository, git_reference_lookup(&head, repository, "HEAD") == 0 else { return }
        defer { git_reference_free(head) }
        if git_reference_type(head) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(head) {
            let branch = String(cString: target)
            StatePermissions.tighten(git + branch)
            StatePermissions.tighten(git + "logs/" + branch)
        }
    }

    /// Makes every file and folder of the repo private (after a migration, on a repo made by an older bkfix).
    public func makePrivate() {
        lock.lock()
        defer { lock.unlock() }
        StatePermissions.tighten(tree: path)
    }

    /// Tells git itself (a `git checkout` or `git reset --hard` by hand) to leave the git-only folders out of the
    /// working tree too: `core.sparseCheckout` with every path but those folders.
    func keepGitOnlyFoldersOutOfCheckouts() throws {
        guard !gitOnlyPrefixes.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        let info = path + "/.git/info"
        if mkdir(info, StatePermissions.directoryMode) != 0 && errno != EEXIST {
            throw StateRepoError.cannotCreate(path: info, reason: String(cString: strerror(errno)))
        }
        let patterns = "/*\n" + gitOnlyPrefixes.map { "!/\($0)\n" }.joined()
        let file = info + "/sparse-checkout"
        do {
            try Data(patterns.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw StateRepoError.cannotCreate(path: file, reason: error.localizedDescription)
        }
        StatePermissions.tighten(file)
        try Self.withLocalConfig(try repository, path: path) { local in
            try LibGit2.check(git_config_set_bool(local, "core.sparseCheckout", 1), "set core.sparseCheckout")
        }
    }
}
