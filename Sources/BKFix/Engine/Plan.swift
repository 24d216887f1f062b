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

/// A verify check ready to run: its kind, the host and substituted arguments.
public struct PlannedCheck: Codable, Sendable, Equatable {
    public var kind: String
    public var host: String
    public var args: [String: ArgValue]
}

/// A concrete, reviewable plan: what would change, pinned to what was read (SPEC §7). Terraform-style, `apply
/// --plan` executes exactly this or refuses.
public struct Plan: Codable, Sendable, Equatable {
    /// The saved-plan format this bkfix writes and reads.
    public static let currentFormat = 1
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
    /// Commands of the original run that cannot be undone (only in rollback plans).
    public var notUndoable: [CommandChange]
    public var created: Date
    /// With `--keep-going`: nodes that could not be reached while planning, and ssh's message; apply records them
    /// as failed.
    public var unreachableHosts: [String: String]? = nil

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
