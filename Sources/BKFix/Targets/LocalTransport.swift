import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a local file operation failed; paths are host paths, never the `--root`-prefixed ones.
public enum TransportError: LocalizedError, Equatable {
    case isDirectory(path: String)
    case permissionDenied(path: String, operation: String)
    case notAFile(path: String)
    case io(path: String, operation: String, reason: String)
    case symlinkOutsideRoot(path: String, target: String)

    public var errorDescription: String? {
        switch self {
        case .isDirectory(let path):
            return "\(path) is a directory, not a file"
        case .permissionDenied(let path, let operation):
            return "permission denied: cannot \(operation) \(path) (run bkfix as root or with sudo)"
        case .notAFile(let path):
            return "\(path) is not a regular file (a device, socket or pipe?); bkfix only edits regular files"
        case .io(let path, let operation, let reason):
            return "cannot \(operation) \(path): \(reason)"
        case .symlinkOutsideRoot(let path, let target):
            return "\(path) is a symlink to \(target), which leads outside the root directory; refusing to follow it"
        }
    }
}

/// The control machine itself: files under `root` (the `--root` option), commands run with ProcessRunner.
public struct LocalTransport: Transport {
    public let root: String
    public let host: String
    public let environment: [String: String]
    /// How many symlinks one path may go through before it counts as a loop (as Linux's MAXSYMLINKS).
    static let maxSymlinkHops = 40

    public init(root: String = "/", host: String = "control", environment: [String: String]) {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed.isEmpty ? "/" : trimmed
        self.host = host
        self.environment = environment
    }

    /// The real path of a host path under root ("/etc/hosts" -> "<root>/etc/hosts").
    public func realPath(_ hostPath: String) -> String {
        let normalized = hostPath.hasPrefix("/") ? hostPath : "/" + hostPath
        return root == "/" ? normalized : root + normalized
    }

    public func kind(of path: String) throws -> PathKind? {
        let resolved = try resolve(path, followFinal: false)
        var st = stat()
        guard lstat(realPath(resolved), &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(path, "inspect", errno)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink(try readLink(realPath(resolved), hostPath: path))
        default: return .other
        }
    }

    public func read(_ path: String) throws -> FileSnapshot? {
        let resolved = try resolve(path, followFinal: true)
        let real = realPath(resolved)
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(path, "read", errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(path, "read", errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw TransportError.isDirectory(path: path)
        default: throw TransportError.notAFile(path: path)
        }
        var data = Data(capacity: Int(st.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read", errno)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        let meta = FileMeta(mode: UInt32(st.st_mode) & 0o7777, uid: st.st_uid, gid: st.st_gid)
        return FileSnapshot(data: data, meta: meta)
    }

    /// Atomic replace: a temp file in the same directory, fully written, owned and moded as `meta`, fsynced,
    /// renamed over the target, then the directory fsynced. A symlink is written through to its target.
    public func write(_ path: String, data: Data, meta: FileMeta) throws {
        let resolved = try resolve(path, followFinal: true)
        let real = realPath(resolved)
        var st = stat()
        if lstat(real, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw TransportError.isDirectory(path: path)
            default: throw TransportError.notAFile(path: path)
            }
        }
        let hostDir = (resolved as NSString).deletingLastPathComponent
        try makeDirectories(hostDir, for: path)
        let realDir = realPath(hostDir)
        let name = String((resolved as NSString).lastPathComponent.prefix(200))  // stays under NAME_MAX
        let temp = realDir + "/.\(name).bkfix-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(path, "write", errno) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temp) }
        }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw failure(path, "write", errno)
                }
                offset += count
            }
        }
        var current = stat()
        guard fstat(fd, &current) == 0 else { throw failure(path, "write", errno) }
        if current.st_uid != meta.uid || current.st_gid != meta.gid {
            guard fchown(fd, meta.uid, meta.gid) == 0 else { throw failure(path, "change the owner of", errno) }
        }
        // After fchown, which clears set-id bits.
        guard fchmod(fd, mode_t(meta.mode & 0o7777)) == 0 else { throw failure(path, "change the mode of", errno) }
        guard fsync(fd) == 0 else { throw failure(path, "sync", errno) }
        closed = true
        guard close(fd) == 0 else { throw failure(path, "write", errno) }
        guard rename(temp, real) == 0 else { throw failure(path, "replace", errno) }
        renamed = true
        let dirFD = open(realDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// Unlinks the file the path leads to (through a symlink, like `write`, so undoing a write-through creation
    /// leaves the link as it was); absent is fine.
    public func remove(_ path: String) throws {
        let resolved = try resolve(path, followFinal: true)
        let real = realPath(resolved)
        var st = stat()
        guard lstat(real, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw failure(path, "remove", errno)
        }
        if st.st_mode & S_IFMT == S_IFDIR { throw TransportError.isDirectory(path: path) }
        guard unlink(real) == 0 || errno == ENOENT else { throw failure(path, "remove", errno) }
    }

    public func list(_ dir: String) throws -> [String] {
        let resolved = try resolve(dir, followFinal: true)
        let real = realPath(resolved)
        var st = stat()
        guard stat(real, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw failure(dir, "list", errno)
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw TransportError.io(path: dir, operation: "list", reason: "not a directory")
        }
        guard let handle = opendir(real) else { throw failure(dir, "list", errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Runs argv on this machine; the workdir is a host path, and so is an absolute argv[0] that exists under a
    /// non-`/` root (`<INSTALL_DIR>/bin/helm`). The result names the host path, as plans and records do.
    public func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        var argv = command.argv
        if let first = argv.first, let rooted = rootedExecutable(first) { argv[0] = rooted }
        do {
            var result = try ProcessRunner.run(
                argv, workdir: command.workdir.map(realPath),
                environment: environment.merging(command.environment) { $1 }, timeout: command.timeout, output: output)
            result.argv = command.argv
            return result
        } catch ProcessRunnerError.notFound where argv != command.argv {
            throw ProcessRunnerError.notFound(command: command.argv[0])
        }
    }

    /// The real path of an absolute program path when the root is not `/` and a regular file is there (symlinks
    /// under the root followed as host paths); nil means run the program as given (a bare name or a path outside).
    func rootedExecutable(_ program: String) -> String? {
        guard root != "/", program.hasPrefix("/"), let resolved = try? resolve(program, followFinal: true) else {
            return nil
        }
        var st = stat()
        guard stat(realPath(resolved), &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return realPath(resolved)
    }

    /// The host path `path` leads to after following symlinks in its directories (and in its last component
    /// when `followFinal`); absolute link targets are host paths, so they are re-rooted under `root`.
    func resolve(_ path: String, followFinal: Bool) throws -> String {
        var pending = components(path)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if resolved.popLast() == nil && root != "/" {
                    throw TransportError.symlinkOutsideRoot(path: path, target: "..")
                }
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            let isLast = pending.isEmpty
            var st = stat()
            guard !(isLast && !followFinal), lstat(realPath(candidate), &st) == 0, st.st_mode & S_IFMT == S_IFLNK
            else {
                resolved.append(component)
                continue
            }
            hops += 1
            if hops > Self.maxSymlinkHops {
                throw TransportError.io(path: path, operation: "resolve", reason: "too many levels of symbolic links")
            }
            let target = try readLink(realPath(candidate), hostPath: path)
            if target.hasPrefix("/") {
                resolved = []
            } else if root != "/" {
                // A relative target that climbs above the host's "/" would escape the root directory.
                var depth = resolved.count
                for part in components(target) {
                    if part == ".." { depth -= 1 } else if part != "." && !part.isEmpty { depth += 1 }
                    if depth < 0 { throw TransportError.symlinkOutsideRoot(path: path, target: target) }
                }
            }
            pending = components(target) + pending
        }
        return "/" + resolved.joined(separator: "/")
    }

    private func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private func readLink(_ real: String, hostPath: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(real, &buffer, buffer.count - 1)
        guard count >= 0 else { throw failure(hostPath, "read the link", errno) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `mkdir -p` of a host directory (0755), refusing when a component is not a directory.
    private func makeDirectories(_ hostDir: String, for path: String) throws {
        var current = ""
        for component in components(hostDir) {
            current += "/" + component
            let real = realPath(current)
            var st = stat()
            if stat(real, &st) == 0 {
                guard st.st_mode & S_IFMT == S_IFDIR else {
                    throw TransportError.io(
                        path: path, operation: "create the parent directory of",
                        reason: "\(current) exists and is not a directory")
                }
                continue
            }
            if mkdir(real, 0o755) == 0 {
                chmod(real, 0o755)  // whatever the umask
            } else if errno != EEXIST {
                throw failure(path, "create the parent directory of", errno)
            }
        }
    }

    private func failure(_ path: String, _ operation: String, _ code: Int32) -> TransportError {
        switch code {
        case EACCES, EPERM, EROFS: return .permissionDenied(path: path, operation: operation)
        case EISDIR: return .isDirectory(path: path)
        default: return .io(path: path, operation: operation, reason: String(cString: strerror(code)))
        }
    }
}

extension TransportError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .isDirectory, .notAFile, .symlinkOutsideRoot: return .badInput
        case .permissionDenied, .io: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .isDirectory, .notAFile: return "not-a-file"
        case .permissionDenied, .io: return "io"
        case .symlinkOutsideRoot: return "symlink-outside-root"
        }
    }
}
