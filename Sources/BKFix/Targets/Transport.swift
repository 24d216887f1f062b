import Foundation

/// A file as read from a host: its bytes and metadata.
public struct FileSnapshot: Sendable, Equatable {
    public var data: Data
    public var meta: FileMeta

    public init(data: Data, meta: FileMeta) {
        self.data = data
        self.meta = meta
    }
}

/// What kind of thing a path is on a host.
public enum PathKind: Sendable, Equatable {
    case file
    case directory
    /// A symlink and where it points (as stored in the link).
    case symlink(String)
    case other
}

/// A command to run on a host.
public struct CommandSpec: Sendable, Equatable {
    public var argv: [String]
    public var workdir: String?
    public var timeout: Double
    public var environment: [String: String]

    public init(argv: [String], workdir: String? = nil, timeout: Double = 60, environment: [String: String] = [:]) {
        self.argv = argv
        self.workdir = workdir
        self.timeout = timeout
        self.environment = environment
    }
}

/// What a command did.
public struct CommandResult: Sendable, Codable, Equatable {
    public var argv: [String]
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    public var duration: Double
    public var timedOut: Bool

    public init(argv: [String], exitCode: Int32, stdout: String, stderr: String, duration: Double, timedOut: Bool) {
        self.argv = argv
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.duration = duration
        self.timedOut = timedOut
    }

    public var succeeded: Bool { exitCode == 0 && !timedOut }
}

/// A stream of a running command's output, delivered line by line.
public enum OutputLine: Sendable {
    case stdout(String)
    case stderr(String)
}

/// The only way bkfix touches a host: read, write atomically, remove, run argv.
///
/// Planning only reads (and runs read-only queries); only the Applier writes.
public protocol Transport: Sendable {
    /// The host name as recorded (`control` for the local machine).
    var host: String { get }
    /// What the path is, or nil when it does not exist. Does not follow a final symlink.
    func kind(of path: String) throws -> PathKind?
    /// The file's bytes and metadata (following symlinks), or nil when absent.
    func read(_ path: String) throws -> FileSnapshot?
    /// Atomically replaces or creates the file, with the given metadata.
    func write(_ path: String, data: Data, meta: FileMeta) throws
    /// Removes a file; absent is fine.
    func remove(_ path: String) throws
    /// Names in a directory (empty when absent).
    func list(_ dir: String) throws -> [String]
    /// Runs argv, streaming lines to `output`, and returns the captured result.
    func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult
}
