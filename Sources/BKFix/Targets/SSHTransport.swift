import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A node reached with the system OpenSSH client: every operation is one `ssh` call (multiplexed through a control
/// master that SSHMasters opens once per run and closes at exit), running a small POSIX `sh` helper whose arguments
/// are shell-quoted, so nothing is ever a free shell string. SSHBatch puts many file operations in one call.
public struct SSHTransport: Transport {
    public let node: InventoryNode
    /// The environment `ssh` itself runs in (HOME for ~/.ssh, PATH to find `ssh`).
    public let environment: [String: String]
    /// The state repo's runtime folder (`STATE/.git/bkfix`): control sockets go in its `ssh/` once the repo exists.
    public let runtimeDir: String?
    public var host: String { node.name }

    public init(node: InventoryNode, environment: [String: String], runtimeDir: String? = nil) {
        self.node = node
        self.environment = environment
        self.runtimeDir = runtimeDir
    }

    /// Exit statuses of the file helpers (ssh itself uses 255).
    enum HelperStatus {
        static let absent: Int32 = 3
        static let isDirectory: Int32 = 4
        static let notAFile: Int32 = 5
        static let permissionDenied: Int32 = 6
        static let notADirectory: Int32 = 8
    }

    /// `'text'` with embedded quotes escaped: one word for any POSIX shell.
    public static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The ssh argv up to and including the destination (the remote command comes after); without a private
    /// control folder, no control master at all.
    public func sshArguments() -> [String] {
        var argv = ["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(node.connectTimeout)"]
        if let dir = controlDirectory {
            argv += [
                "-o", "ControlMaster=auto", "-o", "ControlPath=\(dir)/\(SSHControlDirectory.socketName(for: node))",
                "-o", "ControlPersist=60",
            ]
        } else {
            argv += ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
        }
        argv += ["-o", "LogLevel=ERROR", "-p", String(node.port)]
        if let key = node.key { argv += ["-i", key, "-o", "IdentitiesOnly=yes"] }
        if !node.strictHostKeyChecking { argv += ["-o", "StrictHostKeyChecking=no"] }
        if let knownHosts = node.knownHosts { argv += ["-o", "UserKnownHostsFile=\(knownHosts)"] }
        return argv + ["--", "\(node.user)@\(node.address)"]
    }

    /// Where the control sockets live (SSHControlDirectory decides), or nil for no control master.
    public var controlDirectory: String? {
        SSHControlDirectory.choose(node: node, runtimeDir: runtimeDir, environment: environment)
    }

    /// The node path of a host path (the inventory's `root:` prefix, as `--root` for the control machine).
    public func realPath(_ hostPath: String) -> String {
        let normalized = hostPath.hasPrefix("/") ? hostPath : "/" + hostPath
        return node.root == "/" ? normalized : node.root + normalized
    }

    /// The remote command line for `sh -c SCRIPT bkfix ARGS...`, every word quoted.
    static func shellCommand(_ script: String, _ args: [String]) -> String {
        (["sh", "-c", script, "bkfix"] + args).map(shellQuote).joined(separator: " ")
    }

    /// Runs one remote command line through ssh; a connection failure becomes `unreachable`.
    func ssh(
        _ remote: String, operation: String, timeout: Double, input: Data? = nil,
        output: (@Sendable (OutputLine) -> Void)? = nil, strictExit: Bool = true, interruptible: Bool = true
    ) throws -> CommandResult {
        let argv = sshArguments() + [remote]
        let call = {
            try ProcessRunner.run(
                argv, workdir: nil, environment: self.environment, timeout: timeout, input: input,
                interruptible: interruptible, output: output)
        }
        let result: CommandResult
        if let dir = controlDirectory {
            try SSHControlDirectory.ensurePrivate(dir, node: node.name)
            let closer = SSHMasters.Closer(
                argv: Array(sshArguments().dropLast(2)) + ["-O", "exit", "--", "\(node.user)@\(node.address)"],
                environment: environment)
            result = try SSHMasters.shared.use(
                socket: "\(dir)/\(SSHControlDirectory.socketName(for: node))", closer: closer, call)
        } else {
            result = try call()
        }
        if result.exitCode == 255, strictExit || Self.looksLikeSSHFailure(result.stderr) {
            throw SSHTransportError.unreachable(
                node: node.name, destination: "\(node.user)@\(node.address):\(node.port)",
                message: Self.lastLine(result.stderr) ?? "ssh exited with status 255")
        }
        if result.timedOut && strictExit {
            throw SSHTransportError.timedOut(node: node.name, operation: operation, seconds: Int(timeout))
        }
        return result
    }

    /// Whether stderr of an ssh that exited 255 is ssh's own complaint rather than the remote command's.
    static func looksLikeSSHFailure(_ stderr: String) -> Bool {
        let markers = [
            "ssh: ", "Permission denied (", "Host key verification failed", "Connection closed by",
            "kex_exchange_identification", "Connection timed out", "Could not resolve hostname",
            "REMOTE HOST IDENTIFICATION HAS CHANGED",
        ]
        return markers.contains { stderr.contains($0) }
    }

    static func lastLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Maps a helper's exit status to the same errors LocalTransport raises.
    func helperFailure(_ result: CommandResult, path: String, operation: String) -> Error {
        switch result.exitCode {
        case HelperStatus.isDirectory: return TransportError.isDirectory(path: path)
        case HelperStatus.notAFile: return TransportError.notAFile(path: path)
        case HelperStatus.permissionDenied: return TransportError.permissionDenied(path: path, operation: operation)
        case HelperStatus.notADirectory:
            return TransportError.io(path: path, operation: operation, reason: "not a directory")
        default:
            let message = Self.lastLine(result.stderr) ?? "exit status \(result.exitCode)"
            if message.contains("Read-only file system") {
                return TransportError.readOnlyFileSystem(path: path, operation: operation)
            }
            if message.contains("Permission denied") || message.contains("Operation not permitted") {
                return TransportError.permissionDenied(path: path, operation: operation)
            }
            return SSHTransportError.remoteFailure(node: node.name, path: path, operation: operation, message: message)
        }
    }

    static let kindScript = """
        f=$1
        if [ -L "$f" ]; then echo symlink; readlink -- "$f"
        elif [ -f "$f" ]; then echo file
        elif [ -d "$f" ]; then echo directory
        elif [ -e "$f" ]; then echo other
        else echo absent; fi
        """

    public func kind(of path: String) throws -> PathKind? {
        let result = try ssh(
            Self.shellCommand(Self.kindScript, [realPath(path)]), operation: "inspect", timeout: timeoutFor(60))
        guard result.exitCode == 0 else { throw helperFailure(result, path: path, operation: "inspect") }
        var lines = result.stdout.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(
            String.init)
        switch lines.first {
        case "file": return .file
        case "directory": return .directory
        case "other": return .other
        case "absent": return nil
        case "symlink":
            var target = lines.count > 1 ? lines.removeLast() : ""
            if target.hasSuffix("\n") { target.removeLast() }
            return .symlink(target)
        default:
            throw SSHTransportError.remoteFailure(
                node: node.name, path: path, operation: "inspect", message: "unexpected answer \(result.stdout)")
        }
    }

    static let readScript = """
        f=$1
        [ -e "$f" ] || exit 3
        [ -d "$f" ] && exit 4
        [ -f "$f" ] || exit 5
        [ -r "$f" ] || exit 6
        stat -L -c '%a %u %g' -- "$f" || exit 7
        base64 -w 0 -- "$f" || exit 7
        """

    /// The file's bytes (carried as base64, so binaries survive) and its mode, uid and gid, following symlinks.
    public func read(_ path: String) throws -> FileSnapshot? {
        let result = try ssh(
            Self.shellCommand(Self.readScript, [realPath(path)]), operation: "read", timeout: timeoutFor(300))
        if result.exitCode == HelperStatus.absent { return nil }
        guard result.exitCode == 0 else { throw helperFailure(result, path: path, operation: "read") }
        let parts = result.stdout.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let fields = parts.first?.split(separator: " ").map(String.init) ?? []
        let encoded = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespacesAndNewlines) : ""
        guard fields.count == 3, let mode = UInt32(fields[0], radix: 8), let uid = UInt32(fields[1]),
            let gid = UInt32(fields[2]), let data = Data(base64Encoded: encoded)
        else {
            throw SSHTransportError.remoteFailure(
                node: node.name, path: path, operation: "read", message: "unexpected answer from stat/base64")
        }
        return FileSnapshot(data: data, meta: FileMeta(mode: mode & 0o7777, uid: uid, gid: gid))
    }

    /// One write is a batch of one (SSHBatch): the same script as a batched write, so the two cannot differ.
    public func write(_ path: String, data: Data, meta: FileMeta) throws {
        try commit([FileWrite(path: path, data: data, meta: meta)], thenRead: []).writes.first?.get()
    }

    /// One remove is a batch of one, as `write`.
    public func remove(_ path: String) throws {
        try commit([FileWrite(path: path, data: nil, meta: FileMeta(mode: 0, uid: 0, gid: 0))], thenRead: [])
            .writes.first?.get()
    }

    static let listScript = """
        f=$1
        [ -e "$f" ] || exit 0
        [ -d "$f" ] || exit 8
        find "$f/" -mindepth 1 -maxdepth 1 -printf '%f\\0'
        """

    public func list(_ dir: String) throws -> [String] {
        let result = try ssh(
            Self.shellCommand(Self.listScript, [realPath(dir)]), operation: "list", timeout: timeoutFor(60))
        guard result.exitCode == 0 else { throw helperFailure(result, path: dir, operation: "list") }
        return result.stdout.split(separator: "\0").map(String.init).sorted()
    }

    /// The line the node's shell prints on stderr with the process group it started the command in.
    static let groupMarker = "bkfix-remote-pgid:"

    /// Runs argv on the node: `cd WORKDIR || exit; PATH=<inventory path>:$PATH; setsid env K=V ARGV... &`, every
    /// word quoted, in a process group of its own whose id comes back on stderr (and is removed from the result).
    ///
    /// When the run stops early (Ctrl-C, SIGTERM, or the timeout), killing the local ssh is not enough: without a
    /// pty, sshd just closes the pipes and the command goes on, unseen, on the node. So the group is killed over the
    /// control master (SIGTERM, then SIGKILL after 5 s). A remote `setsid` was chosen over `ssh -tt`, whose pty
    /// hangup would also stop it: a pty merges stderr into stdout, turns line ends into CRLF and lets a command that
    /// ignores SIGHUP survive, while the group kill reaches the command and everything it started.
    public func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        var forward: (@Sendable (OutputLine) -> Void)?
        if let output {
            let marker = Self.groupMarker
            forward = { @Sendable line in
                if case .stderr(let text) = line, text.hasPrefix(marker) { return }
                output(line)
            }
        }
        var result = try ssh(
            remoteCommandLine(command), operation: command.argv.joined(separator: " "),
            timeout: command.timeout > 0 ? command.timeout + Double(node.connectTimeout) : 0, output: forward,
            strictExit: false)
        let (group, stderr) = Self.takeGroup(from: result.stderr)
        result.stderr = stderr
        if result.timedOut, let group { stopGroup(group) }
        result.argv = command.argv
        return result
    }

    /// The process group id the wrapper printed, and stderr without that line.
    static func takeGroup(from stderr: String) -> (group: Int32?, stderr: String) {
        var lines = stderr.components(separatedBy: "\n")
        guard let index = lines.firstIndex(where: { $0.hasPrefix(groupMarker) }) else { return (nil, stderr) }
        let group = Int32(lines[index].dropFirst(groupMarker.count))
        lines.remove(at: index)
        // A group id of 0 or 1 would mean "my own group" or "every process": never sent.
        return (group.flatMap { $0 > 1 ? $0 : nil }, lines.joined(separator: "\n"))
    }

    /// No `--` before the negative id: dash's `kill` reads it as a number and fails.
    static let stopGroupScript = """
        g=$1
        kill -TERM "-$g" 2>/dev/null || exit 0
        i=0
        while [ "$i" -lt 50 ]; do
          kill -0 "-$g" 2>/dev/null || exit 0
          sleep 0.1 2>/dev/null || sleep 1
          i=$((i + 1))
        done
        kill -KILL "-$g" 2>/dev/null
        exit 0
        """

    /// Stops the command's process group on the node; runs even though bkfix is being interrupted. Best effort: the
    /// run is already recorded as stopped, and a node that cannot be reached any more cannot be helped here.
    func stopGroup(_ group: Int32) {
        _ = try? ssh(
            Self.shellCommand(Self.stopGroupScript, [String(group)]), operation: "stop process group \(group)",
            timeout: timeoutFor(15), strictExit: false, interruptible: false)
    }

    /// The shell line `run` sends (exposed for tests).
    public func remoteCommandLine(_ command: CommandSpec) -> String {
        var line = ""
        if let workdir = command.workdir { line += "cd \(Self.shellQuote(realPath(workdir))) || exit 1; " }
        if !node.path.isEmpty {
            line += "PATH=\(Self.shellQuote(node.path.joined(separator: ":"))):\"$PATH\"; export PATH; "
        }
        var words = ""
        let assignments = command.environment.keys.sorted().map { "\($0)=\(command.environment[$0]!)" }
        if !assignments.isEmpty { words += "env " + assignments.map(Self.shellQuote).joined(separator: " ") + " " }
        words += command.argv.map(Self.shellQuote).joined(separator: " ")
        // A background job of a shell without job control is not a group leader, so setsid(1) makes it one in
        // place (no fork): $! is the group id. Without setsid the command runs as before, without a group to stop.
        line += """
            if command -v setsid >/dev/null 2>&1; then setsid \(words) & bkfix_pid=$!; \
            printf '\(Self.groupMarker)%s\\n' "$bkfix_pid" >&2; wait "$bkfix_pid"; exit $?; fi; exec \(words)
            """
        return Self.shellCommand(line, [])
    }

    func timeoutFor(_ seconds: Double) -> Double { seconds + Double(node.connectTimeout) }
}
