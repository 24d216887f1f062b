import Foundation

/// What one look at a path found: its kind (a final symlink not followed, as `Transport.kind(of:)`) and its content
/// (symlinks followed, as `Transport.read`), each with the error the single call would have thrown.
public struct PathInspection: Sendable {
    public var kind: Result<PathKind?, any Error>
    public var content: Result<FileSnapshot?, any Error>

    public init(kind: Result<PathKind?, any Error>, content: Result<FileSnapshot?, any Error>) {
        self.kind = kind
        self.content = content
    }
}

/// One file to write (or, with nil data, to remove) in a batch.
public struct FileWrite: Sendable, Equatable {
    public var path: String
    public var data: Data?
    public var meta: FileMeta

    public init(path: String, data: Data?, meta: FileMeta) {
        self.path = path
        self.data = data
        self.meta = meta
    }
}

/// What a batch of writes did: one result per write that was attempted, in order (the batch stops at the first
/// failure, so the writes after it were not attempted), and the paths read after the last write.
public struct BatchOutcome: Sendable {
    public var writes: [Result<Void, any Error>]
    /// Empty when a write failed: the reads are only made after every write went through.
    public var reads: [String: PathInspection]

    public init(writes: [Result<Void, any Error>], reads: [String: PathInspection]) {
        self.writes = writes
        self.reads = reads
    }
}

/// A transport whose every call is a round trip to another machine, and which can therefore do many file operations
/// in one call: stat and read many paths, or write many files (each atomically, exactly as `write` and `remove`)
/// and then read some. The engine runs the hosts of such transports concurrently (`--forks`).
///
/// Each method throws only when the round trip itself failed (unreachable, timed out); a path's own failure
/// (permission denied, a directory) is in its result.
public protocol BatchingTransport: Transport {
    /// Kind and content of every path, in one round trip.
    func inspect(_ paths: [String]) throws -> [String: PathInspection]
    /// The sha256 of every path's content (nil when absent), in one round trip, without carrying the content.
    func digests(_ paths: [String]) throws -> [String: Result<String?, any Error>]
    /// Writes in order, stopping at the first failure, then inspects `reads`: one round trip.
    func commit(_ writes: [FileWrite], thenRead reads: [String]) throws -> BatchOutcome
}

/// A host's transport plus what one round trip learned about some of its paths: `kind(of:)` and `read` of those
/// paths are answered from it, everything else goes to the host. Used while planning (the paths the steps will read,
/// fetched before any step plans) and for verify (the paths the checks read, fetched right after the last write).
public struct PrefetchedTransport: Transport {
    public let base: any Transport
    public let snapshot: [String: PathInspection]
    public var host: String { base.host }

    public init(base: any Transport, snapshot: [String: PathInspection]) {
        self.base = base
        self.snapshot = snapshot
    }

    public func kind(of path: String) throws -> PathKind? {
        if let known = snapshot[path] { return try known.kind.get() }
        return try base.kind(of: path)
    }

    public func read(_ path: String) throws -> FileSnapshot? {
        if let known = snapshot[path] { return try known.content.get() }
        return try base.read(path)
    }

    public func write(_ path: String, data: Data, meta: FileMeta) throws {
        try base.write(path, data: data, meta: meta)
    }
    public func remove(_ path: String) throws { try base.remove(path) }
    public func list(_ dir: String) throws -> [String] { try base.list(dir) }

    public func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        try base.run(command, output: output)
    }
}
