import CLibGit2
import Foundation

/// The repo-local config (`.git/config`): bkfix's identity, its private defaults and its layout version.
extension StateRepo {
    /// Runs `body` with the repo-local config open, then keeps the file private (libgit2 rewrites it 0644)
    /// unless `keepPrivate` is false (a read must not even change the file's mode).
    @discardableResult
    static func withLocalConfig<T>(
        _ repository: OpaquePointer, path: String, keepPrivate: Bool = true, _ body: (OpaquePointer?) throws -> T
    ) throws -> T {
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config(&config, repository), "open config")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try LibGit2.check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "open local config")
        defer {
            git_config_free(local)
            if keepPrivate { StatePermissions.tighten(path + "/.git/config") }
        }
        return try body(local)
    }

    /// An integer from the repo-local config, nil when unset.
    public func configInt(_ key: String) throws -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        var config: OpaquePointer?
        try LibGit2.check(git_repository_config_snapshot(&config, try repository), "read config")
        defer { git_config_free(config) }
        var value: Int32 = 0
        let rc = git_config_get_int32(&value, config, key)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try LibGit2.check(rc, "read \(key)")
        return value
    }

    /// Sets an integer in the repo-local config.
    public func setConfigInt(_ key: String, _ value: Int32) throws {
        lock.lock()
        defer { lock.unlock() }
        try Self.withLocalConfig(try repository, path: path) { local in
            try LibGit2.check(git_config_set_int32(local, key, value), "set \(key)")
        }
    }

    /// Repo-local settings of a bkfix state repo: no reflogs (the history is append-only, and a reflog line per
    /// commit would double its size), and `core.sharedRepository=0600`, so git itself (a `git gc` by hand) keeps
    /// files private too.
    func setPrivateDefaults() throws {
        lock.lock()
        defer { lock.unlock() }
        try Self.setPrivateDefaults(try repository, path: path)
    }

    static func setPrivateDefaults(_ repository: OpaquePointer, path: String) throws {
        try withLocalConfig(repository, path: path) { local in
            try LibGit2.check(git_config_set_bool(local, "core.logAllRefUpdates", 0), "set core.logAllRefUpdates")
            try LibGit2.check(
                git_config_set_string(local, "core.sharedRepository", "0600"), "set core.sharedRepository")
        }
    }
}
