import Foundation

/// The sha256 of a file as the planner read it (nil = absent): apply refuses when it changed since.
public struct FilePin: Codable, Sendable, Equatable {
    public var host: String
    public var path: String
    public var sha256: String?

    public init(host: String, path: String, sha256: String?) {
        self.host = host
        self.path = path
        self.sha256 = sha256
    }
}

/// A read-only command the planner ran and based decisions on (no default StorageClass, `docker info`'s mirrors,
/// `helm version`), with a digest of what it answered: `apply --plan` asks again, and when the answer changed it
/// plans again and refuses if that plan differs, naming the command. Recorded by the planning transport for every
/// query of every step kind, so a new step kind gets the check without doing anything.
public struct QueryPin: Codable, Sendable, Equatable {
    public var host: String
    public var argv: [String]
    public var workdir: String?
    /// sha256 of the exit status and standard output.
    public var sha256: String

    public init(host: String, argv: [String], workdir: String?, sha256: String) {
        self.host = host
        self.argv = argv
        self.workdir = workdir
        self.sha256 = sha256
    }

    /// The digest of one answer: what a decision can depend on (stderr and timing cannot).
    public static func digest(_ result: CommandResult) -> String {
        SHA256.hex(Data("\(result.exitCode)\n".utf8) + Data(result.stdout.utf8))
    }
}

/// A file recorded before and after a run without being changed by it: a helm release's history and status on a
/// cluster pseudo-host. Its content before the run goes into the pre-image commit, its content after into the run's.
public struct ObservedFile: Codable, Sendable, Equatable, Hashable {
    public var host: String
    public var path: String

    public init(host: String, path: String) {
        self.host = host
        self.path = path
    }
}

/// A verify check ready to run: its kind, the host and substituted arguments.
public struct PlannedCheck: Codable, Sendable, Equatable {
    public var kind: String
    public var host: String
    public var args: [String: ArgValue]
}

/// A concrete, reviewable plan: what would change, pinned to what was read (SPEC §7). Terraform-style, `apply
/// --plan` executes exactly this or refuses.
public struct Plan: Codable, Sendable, Equatable {
    /// The saved-plan format this bkfix writes and reads (2: with the queries decisions were made from).
    public static let currentFormat = 2
    public var format = Plan.currentFormat
    public var playbook: String
    public var cases: [String]
    public var title: Localized
    public var params: [String: ArgValue]
    public var changes: [Change]
    public var verify: [PlannedCheck]
    /// Probe tables, replaced mappings and other remarks from the steps.
    public var notes: [String]
    public var pins: [FilePin]
    /// The read-only commands decisions were based on (see `QueryPin`).
    public var queries: [QueryPin] = []
    /// Commands of the original run that cannot be undone (only in rollback plans).
    public var notUndoable: [CommandChange]
    public var created: Date
    /// With `--keep-going`: nodes that could not be reached while planning, and ssh's message; apply records them
    /// as failed.
    public var unreachableHosts: [String: String]? = nil
    /// What the operator must not miss (data loss), shown in red.
    public var warnings: [String]? = nil
    /// Files recorded before and after the run, never changed by it (see `ObservedFile`).
    public var observed: [ObservedFile]? = nil
    /// The playbook's proposed `--revert-after` (`2h`), or `offered` when it only offers one (see `RevertSchedule`).
    public var revertAfter: String? = nil

    public init(
        playbook: String, cases: [String], title: Localized, params: [String: ArgValue], changes: [Change],
        verify: [PlannedCheck], notes: [String], pins: [FilePin], notUndoable: [CommandChange] = [],
        created: Date = Date()
    ) {
        self.playbook = playbook
        self.cases = cases
        self.title = title
        self.params = params
        self.changes = changes
        self.verify = verify
        self.notes = notes
        self.pins = pins
        self.notUndoable = notUndoable
        self.created = created
    }

    public var noChanges: Bool { changes.isEmpty }
    public var hosts: [String] { Array(Set(changes.map(\.host)).union((unreachableHosts ?? [:]).keys)).sorted() }
    public var fileChanges: [FileChange] { changes.compactMap { if case .file(let f) = $0 { f } else { nil } } }
    public var commands: [CommandChange] { changes.compactMap { if case .command(let c) = $0 { c } else { nil } } }
}

extension Plan {
    /// Reads a plan saved by `plan --out`: a directory, an unreadable file, another format or not a plan at all is
    /// refused with what to do.
    public static func load(savedAt file: String) throws -> Plan {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            throw EngineError.unreadablePlan(path: file, reason: "it is a directory, not a plan file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EngineError.unreadablePlan(path: file, reason: "cannot read the file")
        }
        struct Format: Decodable { var format: Int }
        if let found = try? RunStore.decoder.decode(Format.self, from: data), found.format != currentFormat {
            throw EngineError.unreadablePlan(
                path: file,
                reason: "plan format \(found.format), this bkfix reads format \(currentFormat); "
                    + "make the plan again with this bkfix")
        }
        do {
            return try RunStore.decoder.decode(Plan.self, from: data)
        } catch {
            throw EngineError.unreadablePlan(
                path: file, reason: "not a bkfix plan (\(RunStore.decodingProblem(error)))")
        }
    }
}
