import CLibGit2
import Foundation

/// Process-wide libgit2 setup and the one path that turns libgit2 return codes into `StateRepoError`.
enum LibGit2 {
    /// Initialises libgit2 once, pins its config search path and turns on fsync; the result is remembered.
    private static let setup: Result<String, StateRepoError> = {
        _ = git_libgit2_init()
        let emptyDirectory = emptyConfigDirectory()
        do {
            try check(bkfix_git_set_config_search_path(emptyDirectory), "set config search path")
            try check(bkfix_git_enable_fsync(), "enable fsync")
        } catch let error as StateRepoError {
            return .failure(error)
        } catch {
            return .failure(.git(operation: "initialise", code: -1, message: "\(error)"))
        }
        return .success(emptyDirectory)
    }()

    /// Makes sure libgit2 is ready; call before any other libgit2 function.
    static func ensureInitialized() throws {
        _ = try setup.get()
    }

    /// The empty directory libgit2 uses as global, XDG and system config location (so `~/.gitconfig` is ignored).
    static var configSearchPath: String {
        get throws { try setup.get() }
    }

    /// Throws `StateRepoError.git` with libgit2's last error when `code` is negative.
    @discardableResult
    static func check(_ code: Int32, _ operation: String) throws -> Int32 {
        guard code < 0 else { return code }
        throw lastError(code, operation)
    }

    /// The thread's last libgit2 error as a `StateRepoError`.
    static func lastError(_ code: Int32, _ operation: String) -> StateRepoError {
        var message = "unknown error"
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        }
        return .git(operation: operation, code: code, message: message)
    }

    /// 40 hex digits of an object id.
    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, buffer.count, oid)
        return String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A per-user empty directory (mode 0700, owned by us), or a fresh private one when that is not usable.
    private static func emptyConfigDirectory() -> String {
        let base = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        let shared = base + "bkfix-no-gitconfig-\(geteuid())"
        _ = mkdir(shared, 0o700)
        var info = stat()
        if lstat(shared, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(),
            info.st_mode & 0o022 == 0,
            (try? FileManager.default.contentsOfDirectory(atPath: shared).isEmpty) == true
        {
            return shared
        }
        var template = Array((base + "bkfix-no-gitconfig-XXXXXX").utf8CString)
        if let created = mkdtemp(&template) {
            return String(cString: created)
        }
        return "/nonexistent/bkfix-no-gitconfig"
    }
}
