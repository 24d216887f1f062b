import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where ssh keeps its control sockets, and the checks that keep them private. Whoever can open a control socket
/// rides the authenticated connection: reads the files bkfix reads and sees the output of its commands. So the
/// folder must be bkfix's own: never a shared, guessable path like `/tmp/bkfix-ssh-<uid>` that another local user
/// could create first.
///
/// The folder is, in order: the inventory's `control_dir`; `ssh/` in the state repo's runtime folder
/// (`STATE/.git/bkfix/ssh`) once the state repo exists; `$XDG_RUNTIME_DIR/bkfix-ssh`. A candidate whose socket path
/// would not fit a unix socket address is skipped; with none left, ssh runs without a control master (slower,
/// never shared). Whichever folder is used, bkfix creates it 0700 if missing and, before every ssh call, checks
/// with `lstat` that it is a real directory owned by the effective uid with no group or other permission bits;
/// otherwise nothing is sent and the error names the folder and what is wrong.
public enum SSHControlDirectory {
    /// `sun_path` holds 108 bytes with its NUL.
    static let maxSocketPath = 107
    /// While a master starts, ssh listens on `PATH.` plus 16 random characters, then renames it to PATH.
    static let masterSuffix = 17
    /// The socket's own name: 16 hex digits (see `socketName`).
    static let socketNameLength = 16
    /// The longest folder whose sockets still fit.
    public static let maxDirectoryLength = maxSocketPath - masterSuffix - socketNameLength - 1

    /// The socket for one destination in this process: a hash of user, address, port (what ssh's 40-character `%C`
    /// hashes) and the process id, short so that deeper folders still fit. Each bkfix process has its own master
    /// per destination, which it closes when it ends (SSHMasters): closing it never cuts another bkfix's calls.
    public static func socketName(for node: InventoryNode) -> String {
        String(
            SHA256.hex(Data("\(node.user)@\(node.address):\(node.port)#\(getpid())".utf8)).prefix(socketNameLength))
    }

    /// The folder to use for `node`, or nil for no control master. `runtimeDir` is the state repo's runtime folder
    /// (`STATE/.git/bkfix`), used only when the state repo exists.
    public static func choose(node: InventoryNode, runtimeDir: String?, environment: [String: String]) -> String? {
        if let explicit = node.controlDir { return explicit }
        var candidates: [String] = []
        if let runtimeDir {
            var isDirectory: ObjCBool = false
            let git = (runtimeDir as NSString).deletingLastPathComponent
            if FileManager.default.fileExists(atPath: git, isDirectory: &isDirectory), isDirectory.boolValue {
                candidates.append((runtimeDir as NSString).appendingPathComponent("ssh"))
            }
        }
        if let xdg = environment["XDG_RUNTIME_DIR"], xdg.hasPrefix("/") {
            candidates.append((xdg as NSString).appendingPathComponent("bkfix-ssh"))
        }
        return candidates.first { $0.utf8.count <= maxDirectoryLength }
    }

    /// Creates `dir` (0700) when missing, then refuses it unless `lstat` shows a directory, not a symlink, owned by
    /// the effective uid, with no group or other bits.
    public static func ensurePrivate(_ dir: String, node: String) throws {
        guard dir.utf8.count <= maxDirectoryLength else {
            throw SSHTransportError.controlDirectoryUnusable(
                node: node, path: dir,
                reason:
                    "it is \(dir.utf8.count) bytes long; control sockets in it would not fit a unix socket address "
                    + "(at most \(maxDirectoryLength) bytes for the folder): choose a shorter control_dir")
        }
        var st = stat()
        if lstat(dir, &st) != 0 {
            guard errno == ENOENT else {
                throw unusable(dir, node, "cannot inspect it: \(String(cString: strerror(errno)))")
            }
            let parent = (dir as NSString).deletingLastPathComponent
            if !parent.isEmpty && parent != dir {
                try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            }
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw unusable(dir, node, "cannot create it: \(String(cString: strerror(errno)))")
            }
            guard lstat(dir, &st) == 0 else {
                throw unusable(dir, node, "cannot inspect it: \(String(cString: strerror(errno)))")
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw unusable(dir, node, "it is a symlink; bkfix only uses a real directory of its own")
        default: throw unusable(dir, node, "it is not a directory")
        }
        let euid = geteuid()
        guard st.st_uid == euid else {
            throw unusable(dir, node, "it is owned by uid \(st.st_uid), not by uid \(euid) that runs bkfix")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw unusable(
                dir, node,
                "its mode \(String(st.st_mode & 0o7777, radix: 8)) lets other users in; it must be 700 (chmod 700)")
        }
    }

    private static func unusable(_ dir: String, _ node: String, _ reason: String) -> SSHTransportError {
        .controlDirectoryUnusable(node: node, path: dir, reason: reason)
    }
}
