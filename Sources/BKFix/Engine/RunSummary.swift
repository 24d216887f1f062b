import Foundation

/// A run as history lists it, read from its commit's trailers; only commits written before the trailers carried
/// everything (no `Record:` trailer) have their run record decoded to fill it.
public struct RunSummary: Sendable, Equatable {
    public var id: String
    public var kind: RunKind
    public var playbook: String
    public var cases: [String]
    public var hosts: [String]
    public var status: RunStatus
    public var operatorName: String
    public var started: Date
    public var finished: Date?
    /// Each file the run planned: host and absolute path.
    public var files: [RunFileRef]
    public var rollbackOf: String?
    /// A file changed or a mutating command ran: only then is there anything to roll back.
    public var changedSomething: Bool
    /// Where the run record lives in `commit`'s tree.
    public var recordPath: String
    /// The run's own commit and its parent.
    public var commit: String
    public var parent: String?
    /// The rollback run that undid this run, if any (known to a newest-first walk before it reaches the run).
    public var rolledBackBy: String?

    init(
        id: String, kind: RunKind, playbook: String, cases: [String], hosts: [String], status: RunStatus,
        operatorName: String, started: Date, finished: Date?, files: [RunFileRef], rollbackOf: String?,
        changedSomething: Bool, recordPath: String, commit: String, parent: String?, rolledBackBy: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.playbook = playbook
        self.cases = cases
        self.hosts = hosts
        self.status = status
        self.operatorName = operatorName
        self.started = started
        self.finished = finished
        self.files = files
        self.rollbackOf = rollbackOf
        self.changedSomething = changedSomething
        self.recordPath = recordPath
        self.commit = commit
        self.parent = parent
        self.rolledBackBy = rolledBackBy
    }

    /// A run from a new-style commit's trailers; nil when the commit is not a run or lacks the full trailers.
    init?(trailersOf header: StateCommitHeader) {
        guard let id = header.value(RunTrailers.runID).map(RunTrailers.decode),
            let kind = header.value(RunTrailers.kind).flatMap(RunKind.init(rawValue:)),
            let recordPath = header.value(RunTrailers.record).map(RunTrailers.decode),
            let status = header.value(RunTrailers.status).flatMap(RunStatus.init(rawValue:)),
            let started = header.value(RunTrailers.started).flatMap(RunTrailers.parseISOSeconds)
        else { return nil }
        self.id = id
        self.kind = kind
        self.recordPath = recordPath
        self.status = status
        self.started = started
        playbook = RunTrailers.decode(header.value(RunTrailers.playbook) ?? "")
        cases = header.values(RunTrailers.caseID).map(RunTrailers.decode)
        hosts = header.values(RunTrailers.host).map(RunTrailers.decode)
        operatorName = RunTrailers.decode(header.value(RunTrailers.operatorName) ?? "")
        finished = header.value(RunTrailers.finished).flatMap(RunTrailers.parseISOSeconds)
        files = header.values(RunTrailers.file).compactMap { value in
            RunTrailers.splitFileRef(RunTrailers.decode(value)).map { RunFileRef(host: $0.host, path: $0.path) }
        }
        rollbackOf = header.value(RunTrailers.rollbackOf).map(RunTrailers.decode)
        changedSomething = header.value(RunTrailers.changed) == "yes"
        commit = header.oid
        parent = header.parent
        rolledBackBy = nil
    }

    /// A run from its decoded record (commits of older bkfix versions).
    init(record: RunRecord, recordPath: String, commit: String, parent: String?) {
        id = record.id
        kind = record.kind
        playbook = record.playbook
        cases = record.cases
        hosts = record.hosts
        status = record.status
        operatorName = record.operator
        started = record.started
        finished = record.finished
        files = record.files.map { RunFileRef(host: $0.host, path: $0.path) }
        rollbackOf = record.rollbackOf
        changedSomething = record.changedSomething
        self.recordPath = recordPath
        self.commit = commit
        self.parent = parent
        rolledBackBy = nil
    }

    /// A rollback that completed undoes its target (a failed one may be retried, so it does not count).
    var undoes: String? {
        guard kind == .rollback, status == .applied || status == .verifyFailed else { return nil }
        return rollbackOf
    }
}

/// One file of a run, as its commit's `File:` trailer names it.
public struct RunFileRef: Sendable, Equatable {
    public var host: String
    public var path: String

    public init(host: String, path: String) {
        self.host = host
        self.path = path
    }
}

/// The filters of `bkfix history` (SPEC §10), all answered from the trailers.
public struct RunFilter: Sendable, Equatable {
    public var playbook: String?
    public var caseID: String?
    public var host: String?
    public var status: RunStatus?
    /// Runs started at or after this time.
    public var since: Date?
    /// Runs started before this time.
    public var until: Date?

    public init(
        playbook: String? = nil, caseID: String? = nil, host: String? = nil, status: RunStatus? = nil,
        since: Date? = nil, until: Date? = nil
    ) {
        self.playbook = playbook
        self.caseID = caseID
        self.host = host
        self.status = status
        self.since = since
        self.until = until
    }

    public func matches(_ run: RunSummary) -> Bool {
        (playbook == nil || run.playbook == playbook) && (caseID.map(run.cases.contains) ?? true)
            && (host.map(run.hosts.contains) ?? true) && (status == nil || run.status == status)
            && (since.map { run.started >= $0 } ?? true) && (until.map { run.started < $0 } ?? true)
    }
}
