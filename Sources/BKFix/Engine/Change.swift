import Foundation

/// How dangerous a command is, and what undoing it means (SPEC §6).
public enum Risk: String, Codable, Sendable, CaseIterable {
    /// Reads only; safe to run during planning and verification.
    case readOnly = "read-only"
    /// Has a declared undo command.
    case reversible
    /// Undone by another command that restores function (e.g. a re-sync).
    case compensating
    /// Cannot be undone (e.g. `helmfile destroy`); confirmation names the target.
    case irreversible
}

/// Owner, group and permission bits of a file, recorded so writes and rollbacks keep them.
public struct FileMeta: Codable, Sendable, Equatable {
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32

    public init(mode: UInt32, uid: UInt32, gid: UInt32) {
        self.mode = mode
        self.uid = uid
        self.gid = gid
    }
}

/// One file edit on one host: exact before and after bytes (nil means absent).
public struct FileChange: Codable, Sendable, Equatable {
    public var host: String
    /// The host path (`/etc/hosts`), never the `--root`-prefixed one.
    public var path: String
    public var before: Data?
    public var after: Data?
    /// Metadata of the file before the change (nil when it did not exist).
    public var beforeMeta: FileMeta?
    /// Metadata to give the file when it is created or rewritten.
    public var afterMeta: FileMeta?
    /// Human notes about the edit, e.g. "replaced 1.2.3.4 hub.bktencent.com (commented out)".
    public var notes: [String]
    /// Treat the content as binary: never shown as a text diff.
    public var binary: Bool

    public init(
        host: String, path: String, before: Data?, after: Data?, beforeMeta: FileMeta?, afterMeta: FileMeta?,
        notes: [String] = [], binary: Bool = false
    ) {
        self.host = host
        self.path = path
        self.before = before
        self.after = after
        self.beforeMeta = beforeMeta
        self.afterMeta = afterMeta
        self.notes = notes
        self.binary = binary
    }

    public enum Operation: String, Codable, Sendable { case create, modify, delete }

    public var operation: Operation {
        switch (before, after) {
        case (nil, _): return .create
        case (_, nil): return .delete
        default: return .modify
        }
    }

    /// True when applying it would change nothing.
    public var isNoOp: Bool { before == after && (after == nil || beforeMeta?.mode == afterMeta?.mode) }

    /// The change that undoes this one.
    public var inverse: FileChange {
        FileChange(
            host: host, path: path, before: after, after: before, beforeMeta: afterMeta, afterMeta: beforeMeta,
            notes: [], binary: binary)
    }
}

/// One command on one host, run as argv (never through a shell string).
public struct CommandChange: Codable, Sendable, Equatable {
    public var host: String
    public var argv: [String]
    public var workdir: String?
    public var timeout: Double
    public var risk: Risk
    /// The command(s) that undo this one (`reversible`) or compensate it (`compensating`, and `irreversible`: the
    /// sync that brings a destroyed release back from the restored values), each with its own risk (undoing
    /// `helmfile sync` of localpv is an irreversible `destroy`). Rollback runs them after every file has been
    /// restored, in reverse order of the original commands; an irreversible command's compensation runs whenever
    /// the command ran, whatever happened after it.
    public var undo: [CommandChange]
    /// Tried in order when `argv` fails (e.g. `kill -HUP` when `systemctl reload` fails).
    public var fallbacks: [[String]]
    /// For `irreversible`: the word the operator must type to confirm (a release or host name).
    public var confirmWord: String?
    /// One line saying what it does, in the run's language.
    public var summary: String
    /// What it leaves behind once it ran, said for the operator (`bk-mysql was destroyed`): rollback uses it to say
    /// why it compensates, and, when the compensation fails, what state is left.
    public var effect: String?

    public init(
        host: String, argv: [String], workdir: String? = nil, timeout: Double = 600, risk: Risk,
        undo: [CommandChange] = [], fallbacks: [[String]] = [], confirmWord: String? = nil, summary: String = "",
        effect: String? = nil
    ) {
        self.host = host
        self.argv = argv
        self.workdir = workdir
        self.timeout = timeout
        self.risk = risk
        self.undo = undo
        self.fallbacks = fallbacks
        self.confirmWord = confirmWord
        self.summary = summary
        self.effect = effect
    }

    /// The argv as one line (for messages; commands never run through a shell).
    public var commandLine: String { argv.joined(separator: " ") }
}

/// A planned change: either a file edit or a command.
public enum Change: Sendable, Equatable {
    case file(FileChange)
    case command(CommandChange)

    public var host: String {
        switch self {
        case .file(let f): return f.host
        case .command(let c): return c.host
        }
    }
}

extension Change: Codable {
    private enum CodingKeys: String, CodingKey { case type, file, command }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "file": self = .file(try c.decode(FileChange.self, forKey: .file))
        case "command": self = .command(try c.decode(CommandChange.self, forKey: .command))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown change type \(other)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .file(let f):
            try c.encode("file", forKey: .type)
            try c.encode(f, forKey: .file)
        case .command(let cmd):
            try c.encode("command", forKey: .type)
            try c.encode(cmd, forKey: .command)
        }
    }
}
