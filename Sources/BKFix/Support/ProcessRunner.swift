import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a command could not be started.
public enum ProcessRunnerError: LocalizedError, Equatable {
    case notFound(command: String)
    case workdirMissing(path: String)
    case spawnFailed(argv: [String], errno: Int32)

    public var errorDescription: String? {
        switch self {
        case .notFound(let command):
            return command.contains("/")
                ? "\(command): no such executable file"
                : "\(command): command not found in PATH"
        case .workdirMissing(let path):
            return "working directory \(path) does not exist or is not a directory"
        case .spawnFailed(let argv, let code):
            return "could not start \(argv.joined(separator: " ")): \(String(cString: strerror(code)))"
        }
    }
}

/// Runs argv as a child process (posix_spawn, own process group), capturing its output without deadlocks.
public enum ProcessRunner {
    /// The search path used when the environment has no PATH.
    public static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    /// How long the child gets between SIGTERM and SIGKILL after a timeout.
    static let killGrace = 2.0
    /// How long to keep reading after the child exited while something it started still holds the pipes.
    static let orphanGrace = 1.0

    /// Runs argv (argv[0] looked up in environment["PATH"] unless it contains "/"), stdin = `input` (else /dev/null),
    /// capturing stdout/stderr through pipes with poll(), calling `output` for every complete line as it arrives
    /// (without its `\n` or `\r\n`), killing the child's process group (SIGTERM, then SIGKILL after 2 s) after
    /// `timeout` seconds (-> timedOut = true; a timeout <= 0 means none). The child gets exactly `environment`.
    public static func run(
        _ argv: [String], workdir: String?, environment: [String: String], timeout: Double,
        input: Data? = nil, output: (@Sendable (OutputLine) -> Void)?
    ) throws -> CommandResult {
        try run(
            argv, workdir: workdir, environment: environment, timeout: timeout, input: input, output: output,
            chdir: GNUCalls.canChdirInSpawn ? .spawnAction : .shell)
    }

    /// How the child gets into its working directory.
    enum ChdirMethod {
        /// posix_spawn does it (`posix_spawn_file_actions_addchdir_np`, glibc 2.29 and later).
        case spawnAction
        /// `/bin/sh -c 'cd -- "$1" && shift && exec "$@"'`: for an older C library without that call.
        case shell
    }

    /// `run`, with the way into the working directory chosen by the caller (tests run both ways).
    static func run(
        _ argv: [String], workdir: String?, environment: [String: String], timeout: Double,
        input: Data? = nil, output: (@Sendable (OutputLine) -> Void)?, chdir: ChdirMethod
    ) throws -> CommandResult {
        guard let command = argv.first, !command.isEmpty else {
            throw ProcessRunnerError.spawnFailed(argv: argv, errno: EINVAL)
        }
        let executable = try resolveExecutable(command, searchPath: environment["PATH"])
        if let workdir {
            var st = stat()
            guard stat(workdir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw ProcessRunnerError.workdirMissing(path: workdir)
            }
        }
        let inputFD = try input.map { try memoryFile($0, argv: argv) }
        defer { if let inputFD { Glibc.close(inputFD) } }
        let started = monotonicSeconds()
        let (pid, stdoutFD, stderrFD) = try spawn(
            executable: executable, argv: argv, workdir: workdir, chdir: chdir,
            environment: environment, inputFD: inputFD)
        var streams = [
            StreamReader(fd: stdoutFD, makeLine: { OutputLine.stdout($0) }),
            StreamReader(fd: stderrFD, makeLine: { OutputLine.stderr($0) }),
        ]
        let deadline = timeout > 0 ? started + timeout : Double.infinity
        var timedOut = false
        var killAt = Double.infinity
        var killed = false
        var exitedAt: Double?
        var status: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)

        while true {
            if exitedAt == nil && hasExited(pid) { exitedAt = monotonicSeconds() }
            let now = monotonicSeconds()
            let open = streams.indices.filter { streams[$0].isOpen }
            if let exitedAt, open.isEmpty || now - exitedAt > orphanGrace { break }
            if exitedAt == nil && !timedOut && (now >= deadline || Interruption.requested != nil) {
                timedOut = true
                kill(-pid, SIGTERM)
                killAt = now + killGrace
            }
            if exitedAt == nil && timedOut && !killed && now >= killAt {
                killed = true
                kill(-pid, SIGKILL)
            }
            if open.isEmpty {
                usleep(5000)
                continue
            }
            var fds = open.map { pollfd(fd: streams[$0].fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), 50)
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for (slot, index) in open.enumerated() where fds[slot].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(streams[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    streams[index].append(buffer[0..<count], output: output)
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    streams[index].close(output: output)
                }
            }
        }
        for index in streams.indices where streams[index].isOpen { streams[index].close(output: output) }
        // The child is not reaped yet, so its pid (our group id) cannot have been reused by now.
        if timedOut { kill(-pid, SIGKILL) }  // whatever the child started goes with it
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return CommandResult(
            argv: argv, exitCode: exitCode(fromWaitStatus: status),
            stdout: streams[0].takeText(),
            stderr: streams[1].takeText(),
            duration: monotonicSeconds() - started, timedOut: timedOut)
    }

    /// The executable's path: argv[0] itself when it has a slash, else the first executable match in PATH.
    static func resolveExecutable(_ command: String, searchPath: String?) throws -> String {
        let searchPath = searchPath ?? defaultSearchPath
        if command.contains("/") {
            guard access(command, X_OK) == 0 else {
                throw ProcessRunnerError.notFound(command: command)
            }
            return command
        }
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + command
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw ProcessRunnerError.notFound(command: command)
    }

    /// The bytes in an anonymous in-memory file, positioned at its start: a child reads it as stdin with no pipe to
    /// keep fed (so no deadlock and no SIGPIPE) and nothing on disk.
    private static func memoryFile(_ data: Data, argv: [String]) throws -> Int32 {
        let fd = GNUCalls.anonymousFile("bkfix-stdin")
        guard fd >= 0 else { throw ProcessRunnerError.spawnFailed(argv: argv, errno: errno) }
        do {
            try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < bytes.count {
                    let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if count < 0 {
                        if errno == EINTR { continue }
                        throw ProcessRunnerError.spawnFailed(argv: argv, errno: errno)
                    }
                    offset += count
                }
            }
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw ProcessRunnerError.spawnFailed(argv: argv, errno: errno) }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Starts the child with stdin from `inputFD` (else /dev/null) and stdout/stderr into new pipes; returns pid and
    /// read ends.
    private static func spawn(
        executable: String, argv: [String], workdir: String?, chdir: ChdirMethod, environment: [String: String],
        inputFD: Int32?
    ) throws -> (pid_t, Int32, Int32) {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        // O_CLOEXEC at creation: a child spawned concurrently by another thread never inherits our pipes.
        guard GNUCalls.pipeCloseOnExec(&outPipe) == 0 else {
            throw ProcessRunnerError.spawnFailed(argv: argv, errno: errno)
        }
        guard GNUCalls.pipeCloseOnExec(&errPipe) == 0 else {
            let code = errno
            Glibc.close(outPipe[0])
            Glibc.close(outPipe[1])
            throw ProcessRunnerError.spawnFailed(argv: argv, errno: code)
        }
        // A 1 MiB stdout pipe (Linux F_SETPIPE_SZ; best effort): a 120 MB `kubectl get pods -A -o json` then
        // crosses in large chunks instead of 64 KiB ones, with far fewer wake-ups on both sides.
        _ = fcntl(outPipe[0], 1031, 1 << 20)  // 1031 = F_SETPIPE_SZ
        defer {
            Glibc.close(outPipe[1])
            Glibc.close(errPipe[1])
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputFD {
            posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var program = (path: executable, argv: argv)
        if let workdir {
            switch chdir {
            case .spawnAction: GNUCalls.addchdir(&actions, workdir)
            case .shell: program = shellChdir(executable: executable, argv: argv, workdir: workdir)
            }
        }
        // Descriptors other threads opened without O_CLOEXEC (Foundation's file writes) must not leak into the
        // child: a leaked write descriptor keeps a just-written script "text file busy" for the child's whole life.
        GNUCalls.addCloseFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgv = program.argv.map { strdup($0) } + [nil]
        let cEnv = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArgv + cEnv { free(pointer) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, program.path, &actions, &attributes, cArgv, cEnv)
        guard code == 0 else {
            Glibc.close(outPipe[0])
            Glibc.close(errPipe[0])
            if code == ENOENT {
                if let workdir, access(workdir, F_OK) != 0 { throw ProcessRunnerError.workdirMissing(path: workdir) }
                throw ProcessRunnerError.notFound(command: argv[0])
            }
            throw ProcessRunnerError.spawnFailed(argv: argv, errno: code)
        }
        return (pid, outPipe[0], errPipe[0])
    }

    /// The program and argv that enter `workdir` through the shell and then become `executable` (same pid, so the
    /// process group and signals are unchanged); the program sees its own path as argv[0].
    static func shellChdir(executable: String, argv: [String], workdir: String) -> (path: String, argv: [String]) {
        ("/bin/sh", ["sh", "-c", #"cd -- "$1" && shift && exec "$@""#, "sh", workdir, executable] + argv.dropFirst())
    }

    /// Whether the child has exited, leaving it a zombie (WNOWAIT) so its pid and process group stay ours.
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return false }
        return info._sifields._sigchld.si_pid == pid
    }

    /// The shell convention: the exit status, or 128 + the signal that killed the child.
    private static func exitCode(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// glibc functions the Swift Glibc module hides behind _GNU_SOURCE, looked up once by symbol (so the binary does
/// not require the glibc that introduced them); each has a fallback for a C library that lacks it.
private enum GNUCalls {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static func symbol<F>(_ name: String, as type: F.Type) -> F? {
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: F.self) }
    }

    /// glibc 2.9.
    private static let pipe2Function = symbol("pipe2", as: Pipe2.self)
    /// glibc 2.27.
    private static let memfdCreateFunction = symbol("memfd_create", as: MemfdCreate.self)
    /// glibc 2.29.
    private static let addchdirFunction = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    /// glibc 2.34 (Debian 12 has 2.36).
    private static let addCloseFromFunction = symbol("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)

    /// A pipe whose two ends are close-on-exec: pipe2 makes them so atomically; without it, pipe and then fcntl (a
    /// child spawned by another thread in between could inherit them, as on any system without pipe2).
    static func pipeCloseOnExec(_ fds: UnsafeMutablePointer<Int32>) -> Int32 {
        if let pipe2Function { return pipe2Function(fds, O_CLOEXEC) }
        guard pipe(fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }

    /// A close-on-exec descriptor of a file with no name: memfd_create, else (older glibc, or a kernel without it)
    /// a temp file unlinked at once.
    static func anonymousFile(_ name: String) -> Int32 {
        if let memfdCreateFunction {
            let fd = memfdCreateFunction(name, 1)  // MFD_CLOEXEC
            if fd >= 0 { return fd }
        }
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((tmp + "/\(name)-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            let fd = mkstemp(buffer.baseAddress!)
            if fd >= 0 { unlink(buffer.baseAddress!) }
            return fd
        }
        guard fd >= 0 else { return -1 }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Whether posix_spawn can enter the child's working directory itself.
    static var canChdirInSpawn: Bool { addchdirFunction != nil }

    static func addchdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) {
        _ = addchdirFunction?(actions, path)
    }

    /// Makes the child close every descriptor from `lowest` up before it runs the program; without it the child
    /// inherits what is not close-on-exec, as before.
    static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) {
        _ = addCloseFromFunction?(actions, lowest)
    }
}

/// One output pipe: all its bytes (kept as the chunks read, so a 120 MB output is never re-copied while it grows),
/// and the partial line not yet delivered.
private struct StreamReader {
    let fd: Int32
    let makeLine: (String) -> OutputLine
    var isOpen = true
    var chunks: [[UInt8]] = []
    var total = 0
    var partialLine: [UInt8] = []

    init(fd: Int32, makeLine: @escaping (String) -> OutputLine) {
        self.fd = fd
        self.makeLine = makeLine
    }

    mutating func append(_ bytes: ArraySlice<UInt8>, output: (@Sendable (OutputLine) -> Void)?) {
        chunks.append(Array(bytes))
        total += bytes.count
        guard let output else { return }
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            if partialLine.isEmpty {
                deliver(bytes[lineStart..<index], to: output)
            } else {
                partialLine += bytes[lineStart..<index]
                deliver(partialLine[...], to: output)
                partialLine.removeAll(keepingCapacity: true)
            }
            lineStart = index + 1
        }
        partialLine += bytes[lineStart...]
    }

    mutating func close(output: (@Sendable (OutputLine) -> Void)?) {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(fd)
        if let output, !partialLine.isEmpty {
            deliver(partialLine[...], to: output)
            partialLine = []
        }
    }

    /// Everything read, decoded once (invalid UTF-8 repaired); each chunk is freed as soon as it is copied, so the
    /// peak is about one copy of the output, not two.
    mutating func takeText() -> String {
        var list = chunks
        chunks = []
        let text = String(unsafeUninitializedCapacity: total) { buffer in
            var offset = 0
            for i in list.indices {
                list[i].withUnsafeBufferPointer { chunk in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + chunk.count)])
                        .initialize(from: chunk)
                    offset += chunk.count
                }
                list[i] = []
            }
            return offset
        }
        total = 0
        return text
    }

    private func deliver(_ line: ArraySlice<UInt8>, to output: @Sendable (OutputLine) -> Void) {
        var line = line
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        output(makeLine(String(decoding: line, as: UTF8.self)))
    }
}

extension ProcessRunnerError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notFound, .workdirMissing, .spawnFailed: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .notFound: return "command-not-found"
        case .workdirMissing, .spawnFailed: return "io"
        }
    }
}
