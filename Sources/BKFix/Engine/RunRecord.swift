import Foundation

/// Whether a run applied a playbook or undid an earlier run.
public enum RunKind: String, Codable, Sendable { case apply, rollback }

/// How a run ended.
public enum RunStatus: String, Codable, Sendable {
    case running, applied, failed, interrupted
    /// Every step applied but a `verify:` check failed.
    case verifyFailed = "verify-failed"
}

/// How far one change got.
public enum StepStatus: String, Codable, Sendable { case pending, started, done, failed, skipped }

/// One file change as recorded: hashes and metadata (the bytes live in the state repo's `hosts/` tree).
public struct FileRecord: Codable, Sendable, Equatable {
    public var host: String
    public var path: String
    public var op: FileChange.Operation
    public var beforeSHA256: String?
    public var afterSHA256: String?
    public var beforeMeta: FileMeta?
    public var afterMeta: FileMeta?
    public var binary: Bool
    public var notes: [String]
    public var diff: String
    public var status: StepStatus
}

/// One command as recorded, with what it printed.
public struct CommandRecord: Codable, Sendable, Equatable {
    public var host: String
    public var argv: [String]
    public var workdir: String?
    public var risk: Risk
    public var undo: [CommandChange]
    public var summary: String
    public var status: StepStatus
    public var result: CommandResult?
    /// The argv that finally succeeded when a fallback was used.
    public var ranArgv: [String]?
}

/// The machine-readable record of one run (`runs/<id>.json` in the state repo).
public struct RunRecord: Codable, Sendable, Equatable {
    public var id: String
    public var kind: RunKind
    public var playbook: String
    public var cases: [String]
    public var title: Localized
    public var params: [String: ArgValue]
    public var status: RunStatus
    public var started: Date
    public var finished: Date?
    public var `operator`: String
    public var machine: String
    public var command: [String]
    public var rollbackOf: String?
    public var hosts: [String]
    public var files: [FileRecord]
    public var commands: [CommandRecord]
    /// Each change in plan order: `file:N` or `command:N`, so rollback and show keep the original order.
    public var order: [String]
    public var verify: [VerifyResult]
    public var notes: [String]
    public var notUndoable: [[String]]
    public var error: String?
    /// The state-repo commit holding the pre-images (parent of the run's own commit).
    public var baseCommit: String?
    /// With `--keep-going`: each host that failed (or could not be reached) and why; its steps are marked failed.
    public var hostErrors: [String: String]? = nil

    /// True when some file was changed or some mutating command ran: only then is there anything to roll back.
    public var changedSomething: Bool {
        files.contains { $0.status == .done } || commands.contains { $0.status == .done && $0.risk != .readOnly }
    }
}

/// A run id: sortable time plus a short random suffix, e.g. `20261126-191500-3f2a`.
public enum RunID {
    public static func make(now: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(f.string(from: now))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }
}
