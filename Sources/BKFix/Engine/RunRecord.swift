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
public enum StepStatus: String, Codable, Sendable {
    case pending, started, done, failed, skipped
    /// bkfix died while it was running (a command), or what it left matches neither the old nor the new content
    /// (a file): it counts as having run, and rollback undoes or compensates it.
    case unknown
}

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
    /// What it leaves behind once it ran (see `CommandChange.effect`).
    public var effect: String? = nil

    /// True when it may have changed something that rollback must undo or compensate: it succeeded, or its outcome
    /// is unknown (killed, timed out, interrupted), or it is compensating or irreversible and failed part way (a
    /// failed destroy may have uninstalled half a release). A reversible command that failed did nothing to undo.
    public var ran: Bool {
        guard risk != .readOnly else { return false }
        switch status {
        case .done, .unknown, .started: return true
        case .failed: return risk != .reversible || result.map(\.timedOut) ?? true
        case .pending, .skipped: return false
        }
    }

    /// Its outcome in a few words: `succeeded`, `failed (exit status 1)`, `timed out` ...
    public var outcome: String {
        switch status {
        case .done: return "succeeded"
        case .unknown, .started:
            guard result != nil else { return "was running when bkfix died (outcome unknown)" }
            return "was stopped when bkfix was interrupted (outcome unknown)"
        case .pending, .skipped: return "never started"
        case .failed:
            guard let result else { return "failed" }
            if result.timedOut { return "timed out" }
            return "failed (exit status \(result.exitCode))"
        }
    }
}

/// A file the run recorded without changing it (a helm release's history): its content before and after the run
/// are in the state repo, at the run's base commit and at the run's own commit.
public struct ObservedRecord: Codable, Sendable, Equatable {
    public var host: String
    public var path: String
    public var beforeSHA256: String?
    public var afterSHA256: String?
}

/// One step of a run as `recover` reports it.
public struct StepReport: Sendable, Equatable {
    public var host: String
    /// `file` or `command`.
    public var type: String
    public var what: String
    public var status: StepStatus

    /// The status in the words an operator reads after a crash.
    public var phrase: String {
        switch (status, type == "file") {
        case (.done, _): return "done"
        case (.failed, _): return "failed"
        case (.started, true), (.unknown, true): return "matches neither its old nor its new content"
        case (.started, false), (.unknown, false): return "was running (outcome unknown)"
        case (.pending, true), (.skipped, true): return "not changed"
        case (.pending, false), (.skipped, false): return "never started"
        }
    }
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
    /// Files recorded before and after the run without being changed (see `ObservedFile`).
    public var observed: [ObservedRecord]? = nil
    /// The bkfix build that made the run (`0.2.0 (5335e4bb52e5)`); absent in records of builds before 0.2.0.
    public var bkfixVersion: String? = BuildInfo.stamp

    /// True when some file was changed or some mutating command ran: only then is there anything to roll back.
    public var changedSomething: Bool {
        files.contains { $0.status == .done || $0.status == .unknown } || commands.contains(where: \.ran)
    }

    /// Every step in plan order, per host: what it was and how far it got (what `recover` shows).
    public var steps: [StepReport] {
        order.compactMap { key in
            let parts = key.split(separator: ":")
            guard parts.count == 2, let i = Int(parts[1]) else { return nil }
            if parts[0] == "file", files.indices.contains(i) {
                let f = files[i]
                return StepReport(host: f.host, type: "file", what: "\(f.op.rawValue) \(f.path)", status: f.status)
            }
            if parts[0] == "command", commands.indices.contains(i) {
                let c = commands[i]
                return StepReport(
                    host: c.host, type: "command", what: c.argv.joined(separator: " "), status: c.status)
            }
            return nil
        }
    }
}

/// A run id: sortable time plus a short random suffix, e.g. `20261126-191500-3f2a`.
public enum RunID {
    /// `20261126-191500-3f2a`: the UTC time to the second, then 16 random bits. Built from `isoSeconds` (a
    /// DateFormatter would start ICU, a few milliseconds of every apply).
    public static func make(now: Date = Date()) -> String {
        let iso = Array(RunTrailers.isoSeconds(now).utf8)  // 2026-11-26T19:15:00Z
        var digits: [UInt8] = []
        for range in [0..<4, 5..<7, 8..<10, 10..<11, 11..<13, 14..<16, 17..<19] { digits += iso[range] }
        digits[8] = UInt8(ascii: "-")  // the `T`
        let random = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        return String(decoding: digits, as: UTF8.self) + "-" + String(repeating: "0", count: 4 - random.count) + random
    }
}
