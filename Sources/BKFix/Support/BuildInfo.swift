import Foundation

/// Which build of bkfix this is: its version, the git commit it was built from and the dependency versions
/// (the commit and dependencies are generated at build time by `scripts/embed.sh`).
public enum BuildInfo {
    /// bkfix's own version; raised by hand when a release is cut.
    public static let version = "0.2.0"

    /// Whether the tree the binary was built from had uncommitted changes.
    enum TreeState: Sendable {
        case clean, dirty
        /// Built from a tree that is not a git checkout (a tarball).
        case notGit
        /// git did not answer (e.g. a checkout owned by another user).
        case unknown
    }

    /// The commit as `--version` and `Bkfix-Version:` show it: `5335e4bb52e5`, `5335e4bb52e5-dirty`, or why there is
    /// none.
    public static var commitLabel: String {
        let short = String(commit.prefix(12))
        switch tree {
        case .clean: return short
        case .dirty: return short + "-dirty"
        case .unknown: return short + "-unknown-state"
        case .notGit: return "no git commit"
        }
    }

    /// One line for run records and state commits: `0.2.0 (5335e4bb52e5-dirty)`.
    public static var stamp: String { "\(version) (\(commitLabel))" }

    /// What `bkfix --version` prints: the version, the full commit and what it was built with.
    public static func versionText(libgit2: String) -> String {
        var text = "bkfix \(version)\n"
        switch tree {
        case .notGit: text += "commit: none (not built from a git checkout)\n"
        case .dirty: text += "commit: \(commit) (with uncommitted changes: -dirty)\n"
        case .unknown: text += "commit: \(commit) (git could not tell whether the tree had changes)\n"
        case .clean: text += "commit: \(commit)\n"
        }
        let deps = dependencies.map { "\($0.name) \($0.version)" } + ["libgit2 \(libgit2)"]
        text += "built with: " + deps.joined(separator: ", ")
        return text
    }
}
