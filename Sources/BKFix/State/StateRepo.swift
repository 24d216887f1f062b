import CLibGit2
import Foundation

/// The audit trail: a normal, non-bare git repository that bkfix writes only through libgit2.
///
/// One instance owns one `git_repository` handle; every call takes the repository's lock (shared by all handles on
/// the same path in this process), so instances may be shared between tasks and other repos work in parallel.
public final class StateRepo: @unchecked Sendable {
    public let path: String
    private let repository: OpaquePointer
    private let lock: NSLock

    static let identityName = "bkfix"
    static let identityEmail = "bkfix@localhost"

    private init(path: String, repository: OpaquePointer) {
        self.path = path
        self.repository = repository
        self.lock = StateRepoLocks.shared.lock(for: path)
    }

    deinit {
        git_repository_free(repository)
    }

    /// How long `open` keeps trying while another process is still creating the same repo.
    static let creationRaceRetries = 60
    static let creationRaceDelay: useconds_t = 50_000

    /// Opens the repo at `path`, creating dir (mode 0700) and a non-bare repo with its own identity
    /// (repo-local config user.name=bkfix, user.email=bkfix@localhost) when missing.
    ///
    /// Several bkfix processes may make the first use of one state repo at once; the ones that lose the race see a
    /// half-made repo or a held `config.lock`, so a git error while creating is retried for up to about 3 s.
    public static func open(at path: String, create: Bool = true) throws -> StateRepo {
        var attempt = 0
        while true {
            do {
                return try openOnce(at: path, create: create)
            } catch let error as StateRepoError {
                guard case .git = error, create, attempt < creationRaceRetries else { throw error }
                attempt += 1
                usleep(creationRaceDelay)
            }
        }
    }

    private static func openOnce(at path: String, create: Bool) throws -> StateRepo {
        try LibGit2.ensureInitialized()
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        let exists = try StateRepoLocation.prepare(path, create: create)
        var handle: OpaquePointer?
        if exists || !create {
            try LibGit2.check(git_repository_open(&handle, path), "open \(path)")
        } else {
            var options = git_repository_init_options()
            try LibGit2.check(
                git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
                "init \(path)")
            options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
            let rc = "main".withCString { head in
                options.initial_head = head
                return git_repository_init_ext(&handle, path, &options)
            }
            try LibGit2.check(rc, "init \(path)")
        }
        guard let handle else {
            throw StateRepoError.git(operation: "open \(path)", code: -1, message: "libgit2 returned no repository")
        }
        let repo = StateRepo(path: path, repository: handle)
        guard git_repository_is_bare(handle) == 0, git_repository_workdir(handle) != nil else {
            throw StateRepoError.git(operation: "open \(path)", code: -1, message: "the state repository is bare")
        }
        try repo.ensureIdentity()
        return repo
    }

    /// One commit on HEAD: `updates` maps repo-relative paths ("hosts/control/etc/hosts", "runs/ID.json") to new
    /// bytes, nil = delete. Writes the files into the working tree too (so `git status` stays clean), updates the
    /// index, commits with author/committer "bkfix <bkfix@localhost>" now. Returns the new commit's oid.
    /// Message is used as-is (caller formats subject, body and trailers).
    @discardableResult
    public func commit(updates: [String: Data?], message: String) throws -> String {
        for relativePath in updates.keys { try Self.validate(relativePath) }
        lock.lock()
        defer { lock.unlock() }

        let sortedUpdates = updates.sorted { $0.key < $1.key }

        var parent: OpaquePointer?
        if var id = try headID() {
            try LibGit2.check(git_commit_lookup(&parent, repository, &id), "look up HEAD")
        }
        defer { git_commit_free(parent) }
        var baseline: OpaquePointer?
        if parent != nil {
            try LibGit2.check(git_commit_tree(&baseline, parent), "read HEAD tree")
        }
        defer { git_tree_free(baseline) }

        var treeID = try updatedTree(from: baseline, applying: sortedUpdates)
        var tree: OpaquePointer?
        try LibGit2.check(git_tree_lookup(&tree, repository, &treeID), "look up tree")
        defer { git_tree_free(tree) }

        let workdir = URL(fileURLWithPath: path, isDirectory: true)
        for (relativePath, data) in sortedUpdates {
            try StateRepoLocation.writeWorkingFile(relativePath, data: data, workdir: workdir)
        }

        var signature: UnsafeMutablePointer<git_signature>?
        try LibGit2.check(git_signature_now(&signature, Self.identityName, Self.identityEmail), "make signature")
        defer { git_signature_free(signature) }
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        var commitID = git_oid()
        try LibGit2.check(
            git_commit_create(
                &commitID, repository, "HEAD", signature, signature, nil, message, tree, parents.count, &parents),
            "commit")
        let oid = LibGit2.hex(&commitID)
        try syncIndex(with: tree, updates: sortedUpdates, operation: "update index after commit \(oid)")
        return oid
    }

    /// File content at `rev` (oid, default HEAD), nil when absent (or repo empty).
    public func read(_ relativePath: String, at rev: String? = nil) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        guard let commit = try lookupCommit(rev) else { return nil }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try LibGit2.check(git_commit_tree(&tree, commit), "read tree")
        defer { git_tree_free(tree) }

        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, relativePath)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(rc, "read \(relativePath)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }

        var blob: OpaquePointer?
        try LibGit2.check(git_blob_lookup(&blob, repository, git_tree_entry_id(entry)), "read \(relativePath)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: bytes, count: size)
    }

    /// Paths (files, recursively) under a repo-relative dir prefix at `rev` (default HEAD), sorted.
    /// An empty prefix lists the whole tree; a prefix naming a file or nothing gives [].
    public func list(under prefix: String, at rev: String? = nil) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        guard let commit = try lookupCommit(rev) else { return [] }
        defer { git_commit_free(commit) }
        var root: OpaquePointer?
        try LibGit2.check(git_commit_tree(&root, commit), "read tree")
        defer { git_tree_free(root) }

        let directory = prefix.split(separator: "/").joined(separator: "/")
        if directory.isEmpty { return try filePaths(in: root, prefix: "").sorted() }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, root, directory)
        if rc == GIT_ENOTFOUND.rawValue { return [] }
        try LibGit2.check(rc, "list \(directory)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
        var subtree: OpaquePointer?
        try LibGit2.check(git_tree_lookup(&subtree, repository, git_tree_entry_id(entry)), "list \(directory)")
        defer { git_tree_free(subtree) }
        return try filePaths(in: subtree, prefix: directory + "/").sorted()
    }

    /// Commits reachable from HEAD following first parents, newest first.
    public func log(limit: Int? = nil) throws -> [StateCommit] {
        lock.lock()
        defer { lock.unlock() }
        guard var nextID = try headID() else { return [] }
        var commits: [StateCommit] = []
        while limit.map({ commits.count < $0 }) ?? true {
            var commit: OpaquePointer?
            try LibGit2.check(git_commit_lookup(&commit, repository, &nextID), "log")
            defer { git_commit_free(commit) }
            commits.append(try describe(commit))
            guard git_commit_parentcount(commit) > 0, let parent = git_commit_parent_id(commit, 0) else { break }
            nextID = parent.pointee
        }
        return commits
    }

    /// The oid HEAD points at, nil while the repository has no commit.
    public func head() throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard var id = try headID() else { return nil }
        return LibGit2.hex(&id)
    }

    // MARK: - Internals (called with the lock held)

    /// The tree of `baseline` (empty when nil) with `updates` applied; deleting an absent path is a no-op.
    /// The tree is built from HEAD, not from the index, so a lost or hand-edited index cannot drop files.
    private func updatedTree(from baseline: OpaquePointer?, applying updates: [(key: String, value: Data?)]) throws
        -> git_oid
    {
        var actions: [git_tree_update] = []
        var cPaths: [UnsafeMutablePointer<CChar>] = []
        defer { for cPath in cPaths { free(cPath) } }
        for (relativePath, data) in updates {
            var action = git_tree_update()
            if let data {
                action.action = GIT_TREE_UPDATE_UPSERT
                action.id = try storeBlob(data, for: relativePath)
                action.filemode = GIT_FILEMODE_BLOB
            } else {
                guard try blobExists(relativePath, in: baseline) else { continue }
                action.action = GIT_TREE_UPDATE_REMOVE
            }
            guard let cPath = strdup(relativePath) else {
                throw StateRepoError.git(operation: "commit", code: -1, message: "out of memory")
            }
            cPaths.append(cPath)
            action.path = UnsafePointer(cPath)
            actions.append(action)
        }

        var base = baseline
        var emptyTree: OpaquePointer?
        defer { git_tree_free(emptyTree) }
        if base == nil {
            var builder: OpaquePointer?
            try LibGit2.check(git_treebuilder_new(&builder, repository, nil), "build empty tree")
            defer { git_treebuilder_free(builder) }
            var emptyID = git_oid()
            try LibGit2.check(git_treebuilder_write(&emptyID, builder), "build empty tree")
            try LibGit2.check(git_tree_lookup(&emptyTree, repository, &emptyID), "build empty tree")
            base = emptyTree
        }
        var treeID = git_oid()
        try LibGit2.check(git_tree_create_updated(&treeID, repository, base, actions.count, &actions), "build tree")
        return treeID
    }

    /// Writes `data` as a blob object and returns its id.
    private func storeBlob(_ data: Data, for relativePath: String) throws -> git_oid {
        var blobID = git_oid()
        let rc = data.withUnsafeBytes { raw in
            if let bytes = raw.baseAddress {
                return git_blob_create_from_buffer(&blobID, repository, bytes, raw.count)
            }
            return withUnsafeBytes(of: UInt8(0)) { empty in
                git_blob_create_from_buffer(&blobID, repository, empty.baseAddress, 0)
            }
        }
        try LibGit2.check(rc, "store \(relativePath)")
        return blobID
    }

    /// Whether `tree` holds a file at `relativePath`.
    private func blobExists(_ relativePath: String, in tree: OpaquePointer?) throws -> Bool {
        guard let tree else { return false }
        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, relativePath)
        if rc == GIT_ENOTFOUND.rawValue { return false }
        try LibGit2.check(rc, "look up \(relativePath)")
        defer { git_tree_entry_free(entry) }
        return git_tree_entry_type(entry) == GIT_OBJECT_BLOB
    }

    /// Makes the index match the new commit, with fresh stat data for the files just written, so `git status`
    /// stays clean and fast; an index that disagreed with HEAD (missing, or staged by hand) is reset to the commit.
    private func syncIndex(with tree: OpaquePointer?, updates: [(key: String, value: Data?)], operation: String)
        throws
    {
        var index: OpaquePointer?
        try LibGit2.check(git_repository_index(&index, repository), operation)
        defer { git_index_free(index) }
        try LibGit2.check(git_index_read(index, 1), operation)
        for (relativePath, data) in updates {
            if data != nil {
                try LibGit2.check(git_index_add_bypath(index, relativePath), operation)
            } else {
                try LibGit2.check(git_index_remove_bypath(index, relativePath), operation)
            }
        }
        var indexTreeID = git_oid()
        try LibGit2.check(git_index_write_tree(&indexTreeID, index), operation)
        if git_oid_equal(&indexTreeID, git_tree_id(tree)) == 0 {
            try LibGit2.check(git_index_read_tree(index, tree), operation)
            for (relativePath, data) in updates where data != nil {
                try LibGit2.check(git_index_add_bypath(index, relativePath), operation)
            }
        }
        try LibGit2.check(git_index_write(index), operation)
    }

    /// Writes the repo-local identity when it is missing, so plain `git commit` in the repo works too.
    private func ensureIdentity() throws {
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config(&config, repository), "open config")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try LibGit2.check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "open local config")
        defer { git_config_free(local) }
        // The email first: a foreign repository is refused before anything in its config is written.
        for (key, value) in [("user.email", Self.identityEmail), ("user.name", Self.identityName)] {
            var current = git_buf()
            let rc = git_config_get_string_buf(&current, local, key)
            let existing = rc == 0 && current.ptr != nil ? String(cString: current.ptr) : nil
            git_buf_dispose(&current)
            if existing == value { continue }
            // Someone else's repository (a mistyped --state): never commit into it nor rewrite its identity.
            // bkfix sets its identity before its first commit, so a repo with commits and no identity is not its own.
            if key == "user.email", try existing.map({ !$0.isEmpty }) ?? (headID() != nil) {
                throw StateRepoError.cannotCreate(
                    path: path,
                    reason: "it is a git repository of \(existing ?? "someone else"), not a bkfix state repository "
                        + "(if it is one, restore its identity: git -C \(path) config user.email \(Self.identityEmail))"
                )
            }
            if rc < 0 && rc != GIT_ENOTFOUND.rawValue { try LibGit2.check(rc, "read \(key)") }
            try LibGit2.check(git_config_set_string(local, key, value), "set \(key)")
        }
    }

    /// HEAD's commit id, nil when HEAD is unborn.
    private func headID() throws -> git_oid? {
        let unborn = git_repository_head_unborn(repository)
        try LibGit2.check(unborn, "read HEAD")
        if unborn == 1 { return nil }
        var id = git_oid()
        try LibGit2.check(git_reference_name_to_id(&id, repository, "HEAD"), "read HEAD")
        return id
    }

    /// The commit `rev` names (HEAD when nil); nil when rev is nil and the repository is empty. Caller frees it.
    private func lookupCommit(_ rev: String?) throws -> OpaquePointer? {
        let spec: String
        if let rev {
            spec = rev
        } else {
            guard try headID() != nil else { return nil }
            spec = "HEAD"
        }
        var object: OpaquePointer?
        try LibGit2.check(git_revparse_single(&object, repository, spec), "resolve \(spec)")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try LibGit2.check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "resolve \(spec)")
        return commit
    }

    /// Every blob path under `tree`, each prefixed with `prefix`.
    private func filePaths(in tree: OpaquePointer?, prefix: String) throws -> [String] {
        var paths: [String] = []
        for position in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, position) else { continue }
            let name = prefix + String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                paths.append(name)
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try LibGit2.check(git_tree_lookup(&subtree, repository, git_tree_entry_id(entry)), "list \(name)")
                defer { git_tree_free(subtree) }
                paths += try filePaths(in: subtree, prefix: name + "/")
            default:
                continue
            }
        }
        return paths
    }

    /// A commit's id, parents, message, trailers, time and the paths it changed against its first parent.
    private func describe(_ commit: OpaquePointer?) throws -> StateCommit {
        let oid = LibGit2.hex(git_commit_id(commit))
        let parents = (0..<git_commit_parentcount(commit)).compactMap { index in
            git_commit_parent_id(commit, index).map { LibGit2.hex($0) }
        }
        let message = git_commit_message(commit).map { String(cString: $0) } ?? ""
        let subject = message.components(separatedBy: .newlines).first ?? ""
        let time = Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit)))

        var tree: OpaquePointer?
        try LibGit2.check(git_commit_tree(&tree, commit), "read tree of \(oid)")
        defer { git_tree_free(tree) }
        var parentTree: OpaquePointer?
        if git_commit_parentcount(commit) > 0 {
            var parent: OpaquePointer?
            try LibGit2.check(git_commit_parent(&parent, commit, 0), "read parent of \(oid)")
            defer { git_commit_free(parent) }
            try LibGit2.check(git_commit_tree(&parentTree, parent), "read parent tree of \(oid)")
        }
        defer { git_tree_free(parentTree) }
        var diff: OpaquePointer?
        try LibGit2.check(git_diff_tree_to_tree(&diff, repository, parentTree, tree, nil), "diff \(oid)")
        defer { git_diff_free(diff) }
        var changed = Set<String>()
        for position in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, position) else { continue }
            if let old = delta.pointee.old_file.path { changed.insert(String(cString: old)) }
            if let new = delta.pointee.new_file.path { changed.insert(String(cString: new)) }
        }
        return StateCommit(
            oid: oid, parents: parents, message: message, subject: subject,
            trailers: Self.parseTrailers(message), time: time, changedPaths: changed.sorted())
    }

    /// Rejects paths that are absolute, empty, climb out with "..", or reach into `.git`.
    static func validate(_ relativePath: String) throws {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: false)
        let invalid =
            relativePath.isEmpty || relativePath.hasPrefix("/") || relativePath.hasSuffix("/")
            || relativePath.contains("\0")
            || components.contains { $0.isEmpty || $0 == "." || $0 == ".." || $0.lowercased() == ".git" }
        if invalid {
            throw StateRepoError.git(
                operation: "commit", code: GIT_EINVALIDSPEC.rawValue,
                message: "\"\(relativePath)\" is not a valid repo-relative file path")
        }
    }
}
