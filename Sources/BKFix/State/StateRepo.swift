import CLibGit2
import Foundation

/// The audit trail: a normal, non-bare git repository that bkfix writes only through libgit2.
///
/// One instance owns one `git_repository` handle, opened on first use: `git_libgit2_init` costs about half of a
/// short command's CPU (libgit2 parses the system's TLS certificates there), and `history` answered from the run
/// index needs no libgit2 at all. Every call takes the repository's lock (shared by all handles on the same path
/// in this process), so instances may be shared between tasks and other repos work in parallel.
/// Everything bkfix writes in it is private to its owner: folders 0700, files 0600 (git's read-only objects 0400).
public final class StateRepo: @unchecked Sendable {
    public let path: String
    let lock: NSRecursiveLock
    /// Folders ("runs/") whose files live in git only: in the index with git's skip-worktree bit, never in the
    /// working tree, so thousands of records cost no working files (`git status` stays clean, `git show` reads them).
    public let gitOnlyPrefixes: [String]
    /// The libgit2 handle once opened (guarded by `lock`).
    private var handle: OpaquePointer?

    static let identityName = "bkfix"
    static let identityEmail = "bkfix@localhost"

    private init(path: String, handle: OpaquePointer?, gitOnlyPrefixes: [String]) {
        self.path = path
        self.handle = handle
        self.gitOnlyPrefixes = gitOnlyPrefixes
        self.lock = StateRepoLocks.shared.lock(for: path)
    }

    deinit {
        if let handle { git_repository_free(handle) }
    }

    /// The libgit2 repository, opened (and checked) on first use.
    var repository: OpaquePointer {
        get throws { try openedHandle(create: false, retry: true) }
    }

    /// Opens (or, with `create`, makes) the repository once: HEAD checked, identity set.
    private func openedHandle(create: Bool, retry: Bool) throws -> OpaquePointer {
        lock.lock()
        defer { lock.unlock() }
        if let handle { return handle }
        return try Self.retryingWhileCreated(path: path, retry: retry) {
            let opened =
                try create
                ? Self.initOrOpen(path, gitOnly: gitOnlyPrefixes) : Self.openExisting(path, gitOnly: gitOnlyPrefixes)
            handle = opened
            do {
                try checkHead()
                try ensureIdentity()
            } catch {
                handle = nil
                git_repository_free(opened)
                throw error
            }
            return opened
        }
    }

    /// How long `open` keeps trying while another process is still creating the same repo.
    static let creationRaceRetries = 60
    static let creationRaceDelay: useconds_t = 50_000
    /// A `.git` folder younger than this may still be under construction by another bkfix.
    static let creationRaceWindow: TimeInterval = 10

    /// Opens the repo at `path`, creating dir (mode 0700) and a non-bare repo with its own identity
    /// (repo-local config user.name=bkfix, user.email=bkfix@localhost) when missing. An existing repo is opened
    /// and checked on its first libgit2 use: not a git repository, a HEAD that does not resolve, or a HEAD commit
    /// or tree missing from the object database are refused with the repo's path and the problem, before anything
    /// is written.
    ///
    /// Several bkfix processes may make the first use of one state repo at once; the ones that lose the race see a
    /// half-made repo or a held `config.lock`, so a git error while creating is retried for up to about 3 s.
    public static func open(at path: String, create: Bool = true, gitOnly: [String] = []) throws -> StateRepo {
        let path = URL(fileURLWithPath: path).standardizedFileURL.path
        let exists = try StateRepoLocation.prepare(path, create: create)
        let repo = StateRepo(path: path, handle: nil, gitOnlyPrefixes: gitOnly)
        if !exists { _ = try repo.openedHandle(create: create, retry: create) }
        return repo
    }

    /// Runs `body` again while its error may come from another process creating the repo right now.
    private static func retryingWhileCreated<T>(path: String, retry: Bool, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let error as StateRepoError {
                guard retry, attempt < creationRaceRetries, mayBeUnderConstruction(error, path: path) else {
                    throw error
                }
                attempt += 1
                usleep(creationRaceDelay)
            }
        }
    }

    /// Whether `error` may come from another process creating the repo right now (a fresh `.git`), not from damage.
    private static func mayBeUnderConstruction(_ error: StateRepoError, path: String) -> Bool {
        switch error {
        case .git: return true
        case .notARepository:
            guard let info = try? FileManager.default.attributesOfItem(atPath: path + "/.git"),
                let modified = info[.modificationDate] as? Date
            else { return false }
            return Date().timeIntervalSince(modified) < creationRaceWindow
        default: return false
        }
    }

    /// `git_repository_open` of an existing repo, with the private object database.
    private static func openExisting(_ path: String, gitOnly: [String]) throws -> OpaquePointer {
        try LibGit2.ensureInitialized()
        var handle: OpaquePointer?
        let rc = git_repository_open(&handle, path)
        guard rc >= 0, let handle else {
            throw StateRepoError.notARepository(path: path, reason: LibGit2.lastError(rc, "open").detail)
        }
        guard git_repository_is_bare(handle) == 0, git_repository_workdir(handle) != nil else {
            git_repository_free(handle)
            throw StateRepoError.git(operation: "open \(path)", code: -1, message: "the state repository is bare")
        }
        do {
            try usePrivateObjectDatabase(handle, path: path)
        } catch {
            git_repository_free(handle)
            throw error
        }
        return handle
    }

    /// A new repo at `path` (HEAD on `main`, private modes, no reflogs), or the one another process just made.
    private static func initOrOpen(_ path: String, gitOnly: [String]) throws -> OpaquePointer {
        if FileManager.default.fileExists(atPath: path + "/.git") { return try openExisting(path, gitOnly: gitOnly) }
        try LibGit2.ensureInitialized()
        var handle: OpaquePointer?
        var options = git_repository_init_options()
        try LibGit2.check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)), "init \(path)")
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        let rc = "main".withCString { head in
            options.initial_head = head
            return git_repository_init_ext(&handle, path, &options)
        }
        try LibGit2.check(rc, "init \(path)")
        guard let handle else {
            throw StateRepoError.git(operation: "open \(path)", code: -1, message: "libgit2 returned no repository")
        }
        do {
            try usePrivateObjectDatabase(handle, path: path)
            try setPrivateDefaults(handle, path: path)
        } catch {
            git_repository_free(handle)
            throw error
        }
        StatePermissions.tighten(tree: path + "/.git")
        return handle
    }

    /// One commit on HEAD: `updates` maps repo-relative paths ("hosts/control/etc/hosts", "runs/ID.json") to new
    /// bytes, nil = delete. Writes the files into the working tree too (so `git status` stays clean), except those
    /// under `gitOnlyPrefixes`, updates the index, commits with author/committer "bkfix <bkfix@localhost>" now, and
    /// packs the loose objects when there are many (`packIfNeeded`). Returns the new commit's oid.
    /// Message is used as-is (caller formats subject, body and trailers).
    @discardableResult
    public func commit(updates: [String: Data?], message: String) throws -> String {
        for relativePath in updates.keys { try Self.validate(relativePath) }
        lock.lock()
        defer { lock.unlock() }

        let sortedUpdates = updates.sorted { $0.key < $1.key }

        var parent: OpaquePointer?
        if var id = try headID() {
            try checkObject(git_commit_lookup(&parent, repository, &id), id, "HEAD commit")
        }
        defer { git_commit_free(parent) }
        var baseline: OpaquePointer?
        if parent != nil {
            try checkObject(git_commit_tree(&baseline, parent), git_commit_tree_id(parent).pointee, "HEAD tree")
        }
        defer { git_tree_free(baseline) }

        let stored = try updatedTree(from: baseline, applying: sortedUpdates)
        var treeID = stored.tree
        var tree: OpaquePointer?
        try LibGit2.check(git_tree_lookup(&tree, repository, &treeID), "look up tree")
        defer { git_tree_free(tree) }

        let workdir = URL(fileURLWithPath: path, isDirectory: true)
        for (relativePath, data) in sortedUpdates {
            // A git-only path is removed from the working tree (an old layout's copy) instead of written.
            try StateRepoLocation.writeWorkingFile(
                relativePath, data: isGitOnly(relativePath) ? nil : data, workdir: workdir)
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
        try syncIndex(
            with: tree, updates: sortedUpdates, blobs: stored.blobs, operation: "update index after commit \(oid)")
        tightenAfterCommit()
        // Packing is housekeeping: the commit is done and every object is on disk, loose or packed, whatever it says.
        _ = try? packIfNeeded()
        return oid
    }

    /// Whether `relativePath` lives in git only (see `gitOnlyPrefixes`).
    func isGitOnly(_ relativePath: String) -> Bool {
        gitOnlyPrefixes.contains { relativePath.hasPrefix($0) }
    }

    /// File content at `rev` (oid, default HEAD), nil when absent (or repo empty).
    public func read(_ relativePath: String, at rev: String? = nil) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        guard let commit = try lookupCommit(rev) else { return nil }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try checkObject(git_commit_tree(&tree, commit), git_commit_tree_id(commit).pointee, "tree")
        defer { git_tree_free(tree) }

        var entry: OpaquePointer?
        let rc = git_tree_entry_bypath(&entry, tree, relativePath)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(rc, "read \(relativePath)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }

        var blob: OpaquePointer?
        try checkObject(
            git_blob_lookup(&blob, repository, git_tree_entry_id(entry)), git_tree_entry_id(entry).pointee, relativePath
        )
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
        try checkObject(git_commit_tree(&root, commit), git_commit_tree_id(commit).pointee, "tree")
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
        try checkObject(
            git_tree_lookup(&subtree, repository, git_tree_entry_id(entry)), git_tree_entry_id(entry).pointee, directory
        )
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
            try checkObject(git_commit_lookup(&commit, repository, &nextID), nextID, "commit")
            defer { git_commit_free(commit) }
            commits.append(try describe(commit))
            guard git_commit_parentcount(commit) > 0, let parent = git_commit_parent_id(commit, 0) else { break }
            nextID = parent.pointee
        }
        return commits
    }

    /// Walks the first-parent history from HEAD (or from the commit `start`), newest first, reading each commit's
    /// header and trailers only, until `visit` returns false or the root commit is reached. `visit` may read files
    /// of the repo.
    public func walk(from start: String? = nil, _ visit: (StateCommitHeader) throws -> Bool) throws {
        lock.lock()
        defer { lock.unlock() }
        var nextID = git_oid()
        if let start {
            guard git_oid_fromstr(&nextID, start) == 0 else {
                throw StateRepoError.git(operation: "walk from \(start)", code: -1, message: "not a commit id")
            }
        } else {
            guard let head = try headID() else { return }
            nextID = head
        }
        while true {
            var commit: OpaquePointer?
            try checkObject(git_commit_lookup(&commit, repository, &nextID), nextID, "commit")
            defer { git_commit_free(commit) }
            let header = header(of: commit)
            guard try visit(header) else { return }
            guard git_commit_parentcount(commit) > 0, let parent = git_commit_parent_id(commit, 0) else { return }
            nextID = parent.pointee
        }
    }

    /// Id, first parent, time, subject and trailers of a commit, parsed straight from libgit2's message buffer.
    private func header(of commit: OpaquePointer?) -> StateCommitHeader {
        let oid = LibGit2.hex(git_commit_id(commit))
        let parent = git_commit_parentcount(commit) > 0 ? git_commit_parent_id(commit, 0).map { LibGit2.hex($0) } : nil
        let time = Date(timeIntervalSince1970: TimeInterval(git_commit_time(commit)))
        var subject = ""
        var trailers: [CommitTrailer] = []
        if let message = git_commit_message(commit) {
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(message).assumingMemoryBound(to: UInt8.self), count: strlen(message))
            let firstLine = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            subject = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<firstLine]), as: UTF8.self)
            trailers = Self.parseTrailerList(bytes: bytes)
        }
        return StateCommitHeader(oid: oid, parent: parent, time: time, subject: subject, trailers: trailers)
    }

    /// One commit with the paths it changed against its first parent (a tree diff: for one commit, not a walk).
    public func describeCommit(_ oid: String) throws -> StateCommit {
        lock.lock()
        defer { lock.unlock() }
        guard let commit = try lookupCommit(oid) else {
            throw StateRepoError.git(operation: "resolve \(oid)", code: -1, message: "the repository is empty")
        }
        defer { git_commit_free(commit) }
        return try describe(commit)
    }

    /// Names of the files (not folders) directly in the repo folder `directory` at HEAD.
    public func files(in directory: String) throws -> [String] {
        let prefix = directory.split(separator: "/").joined(separator: "/") + "/"
        return try list(under: directory).compactMap { path in
            let name = path.dropFirst(prefix.count)
            return name.contains("/") ? nil : String(name)
        }
    }

    /// HEAD's commit id read from `.git/HEAD` and the branch file (or `packed-refs`) without libgit2; nil when
    /// that takes more than those plain files say (then ask `head()`).
    public func peekHead() -> String? {
        let git = path + "/.git/"
        guard let head = Self.firstLine(git + "HEAD") else { return nil }
        if Self.isObjectID(head) { return head }
        guard head.hasPrefix("ref: refs/") else { return nil }
        let ref = String(head.dropFirst(5))
        guard !ref.contains(".."), !ref.contains("//") else { return nil }
        if let id = Self.firstLine(git + ref) { return Self.isObjectID(id) ? id : nil }
        guard let packed = try? String(contentsOfFile: git + "packed-refs", encoding: .utf8) else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let id = String(line.prefix(40))
            return Self.isObjectID(id) ? id : nil
        }
        return nil
    }

    private static func firstLine(_ file: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file), data.count < 4096 else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first
            .map(String.init)
    }

    private static func isObjectID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
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
        -> (tree: git_oid, blobs: [String: git_oid])
    {
        var blobs: [String: git_oid] = [:]
        var actions: [git_tree_update] = []
        var cPaths: [UnsafeMutablePointer<CChar>] = []
        defer { for cPath in cPaths { free(cPath) } }
        for (relativePath, data) in updates {
            var action = git_tree_update()
            if let data {
                action.action = GIT_TREE_UPDATE_UPSERT
                action.id = try storeBlob(data, for: relativePath)
                blobs[relativePath] = action.id
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
        return (treeID, blobs)
    }

    /// Writes `data` as a blob object and returns its id.
    private func storeBlob(_ data: Data, for relativePath: String) throws -> git_oid {
        var blobID = git_oid()
        let repository = try repository
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
    /// Git-only paths get an entry with git's skip-worktree bit and no working file.
    private func syncIndex(
        with tree: OpaquePointer?, updates: [(key: String, value: Data?)], blobs: [String: git_oid], operation: String
    ) throws {
        var index: OpaquePointer?
        try LibGit2.check(git_repository_index(&index, repository), operation)
        defer { git_index_free(index) }
        try LibGit2.check(git_index_read(index, 1), operation)
        for (relativePath, data) in updates {
            if data == nil {
                try LibGit2.check(git_index_remove_bypath(index, relativePath), operation)
            } else if let blob = blobs[relativePath], isGitOnly(relativePath) {
                try addGitOnlyEntry(index, relativePath, blob: blob, operation: operation)
            } else {
                try LibGit2.check(git_index_add_bypath(index, relativePath), operation)
            }
        }
        var indexTreeID = git_oid()
        let written = git_index_write_tree(&indexTreeID, index)
        if written < 0 || git_oid_equal(&indexTreeID, git_tree_id(tree)) == 0 {
            try LibGit2.check(git_index_read_tree(index, tree), operation)
            try markGitOnlyEntries(index, operation: operation)
            for (relativePath, data) in updates where data != nil && !isGitOnly(relativePath) {
                try LibGit2.check(git_index_add_bypath(index, relativePath), operation)
            }
        }
        try LibGit2.check(git_index_write(index), operation)
    }

    /// Adds (or replaces) the index entry of a git-only file: its blob, mode 100644, skip-worktree.
    private func addGitOnlyEntry(_ index: OpaquePointer?, _ relativePath: String, blob: git_oid, operation: String)
        throws
    {
        var entry = git_index_entry()
        entry.mode = UInt32(GIT_FILEMODE_BLOB.rawValue)
        entry.id = blob
        entry.flags_extended = UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
        let rc = relativePath.withCString { cPath in
            entry.path = cPath
            return git_index_add(index, &entry)
        }
        try LibGit2.check(rc, operation)
    }

    /// Sets skip-worktree on every index entry under a git-only prefix (after the index was rebuilt from a tree).
    private func markGitOnlyEntries(_ index: OpaquePointer?, operation: String) throws {
        guard !gitOnlyPrefixes.isEmpty else { return }
        var unmarked: [(path: String, id: git_oid)] = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let cPath = entry.pointee.path else { continue }
            let relativePath = String(cString: cPath)
            if isGitOnly(relativePath) { unmarked.append((relativePath, entry.pointee.id)) }
        }
        for (relativePath, id) in unmarked {
            try addGitOnlyEntry(index, relativePath, blob: id, operation: operation)
        }
    }

    /// Writes the repo-local identity when it is missing, so plain `git commit` in the repo works too.
    private func ensureIdentity() throws {
        // Read first: opening a repo that has its identity writes nothing (not even the config's mode).
        var current: [String: String] = [:]
        try Self.withLocalConfig(try repository, path: path, keepPrivate: false) { local in
            for key in ["user.email", "user.name"] {
                var buffer = git_buf()
                let rc = git_config_get_string_buf(&buffer, local, key)
                if rc == 0, let text = buffer.ptr { current[key] = String(cString: text) }
                git_buf_dispose(&buffer)
                if rc < 0 && rc != GIT_ENOTFOUND.rawValue { try LibGit2.check(rc, "read \(key)") }
            }
        }
        if current["user.email"] == Self.identityEmail && current["user.name"] == Self.identityName { return }
        // Someone else's repository (a mistyped --state): never commit into it nor rewrite its identity.
        // bkfix sets its identity before its first commit, so a repo with commits and no identity is not its own.
        let email = current["user.email"]
        if email != Self.identityEmail, try email.map({ !$0.isEmpty }) ?? (headID() != nil) {
            throw StateRepoError.cannotCreate(
                path: path,
                reason: "it is a git repository of \(email ?? "someone else"), not a bkfix state repository "
                    + "(if it is one, restore its identity: git -C \(path) config user.email \(Self.identityEmail))")
        }
        try Self.withLocalConfig(try repository, path: path) { local in
            for (key, value) in [("user.email", Self.identityEmail), ("user.name", Self.identityName)]
            where current[key] != value {
                try LibGit2.check(git_config_set_string(local, key, value), "set \(key)")
            }
        }
    }

    /// HEAD's commit id, nil when HEAD is unborn.
    func headID() throws -> git_oid? {
        let repository = try repository
        let unborn = git_repository_head_unborn(repository)
        if unborn < 0 {
            throw StateRepoError.brokenHead(path: path, reason: LibGit2.lastError(unborn, "read HEAD").detail)
        }
        if unborn == 1 { return nil }
        var id = git_oid()
        let rc = git_reference_name_to_id(&id, repository, "HEAD")
        if rc < 0 {
            throw StateRepoError.brokenHead(path: path, reason: LibGit2.lastError(rc, "read HEAD").detail)
        }
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
                try checkObject(
                    git_tree_lookup(&subtree, repository, git_tree_entry_id(entry)), git_tree_entry_id(entry).pointee,
                    name)
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
        try checkObject(git_commit_tree(&tree, commit), git_commit_tree_id(commit).pointee, "tree of commit \(oid)")
        defer { git_tree_free(tree) }
        var parentTree: OpaquePointer?
        if git_commit_parentcount(commit) > 0 {
            var parent: OpaquePointer?
            try checkObject(
                git_commit_parent(&parent, commit, 0), (git_commit_parent_id(commit, 0)?.pointee ?? git_oid()),
                "parent of \(oid)")
            defer { git_commit_free(parent) }
            try checkObject(
                git_commit_tree(&parentTree, parent), git_commit_tree_id(parent).pointee, "tree of \(oid)'s parent")
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
