import CLibGit2

extension StateRepo {
    /// The version of the libgit2 linked into this binary, e.g. `1.5.1` (for `bkfix --version`).
    public static var libgit2Version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
