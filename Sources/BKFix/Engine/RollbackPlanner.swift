import Foundation

/// A file that changed after the run being rolled back: the three versions the operator must see.
public struct RollbackConflict: Sendable {
    public var host: String
    public var path: String
    public var before: Data?
    /// The content the run left (nil: absent).
    public var after: Data?
    public var now: Data?
    /// False for a run recovered from its journal, whose record (with what it left) is not committed yet.
    public var afterRecorded = true
}

/// What `rollback` was asked to undo.
public struct RollbackRequest: Sendable {
    public enum Target: Sendable, Equatable {
        case run(String)
        /// The newest apply run not yet rolled back.
        case last
        /// The newest run of this playbook not yet rolled back.
        case playbook(String)
    }

    public var target: Target
    /// Restore files even when they changed after the run (their live content is recorded as drift first).
    public var force: Bool
    /// Retry a rollback that failed or was interrupted (the run id may be the original's or the failed rollback's).
    public var retry: Bool

    public init(target: Target, force: Bool = false, retry: Bool = false) {
        self.target = target
        self.force = force
        self.retry = retry
    }
}

/// Builds the inverse plan of a recorded run (SPEC §9): files back to their exact pre-run bytes and mode (created
/// files removed), then the undo or compensation of each command that ran, in reverse order; irreversible ones are
/// listed, and their compensation (the sync that brings a destroyed release back) runs whatever happened after
/// them, with the reason in the plan's notes.
public struct RollbackPlanner: Sendable {
    public var store: RunStore
    public var hosts: HostDirectory
    /// How many nodes are read at once (`--forks`).
    public var forks = 10

    public init(store: RunStore, hosts: HostDirectory, forks: Int = 10) {
        self.store = store
        self.hosts = hosts
        self.forks = forks
    }

    /// Which run `--last` or `--playbook ID` means: the newest apply run not yet rolled back.
    public func target(last: Bool, playbook: String?) throws -> RunEntry {
        let candidates = try store.summaries(limit: 1) {
            $0.kind == .apply && $0.rolledBackBy == nil && (playbook == nil || $0.playbook == playbook)
                && $0.status != .running && $0.changedSomething
        }
        guard let first = try candidates.first.map(store.entry) else {
            throw EngineError.noRuns(
                filter: playbook.map { "--playbook \($0) (not yet rolled back)" }
                    ?? "--last (an apply run not yet rolled back)")
        }
        return first
    }

    /// The run a request undoes, with the refusals decided on the current history (the engine calls it under the
    /// lock): a rollback is never rolled back, a run is rolled back once (again only when its rollback failed), and
    /// `--retry` needs a rollback that failed or was interrupted.
    public func resolve(_ request: RollbackRequest) throws -> RunEntry {
        var entry: RunEntry
        switch request.target {
        case .run(let id): entry = try store.run(id)
        case .last: entry = try target(last: true, playbook: nil)
        case .playbook(let id): entry = try target(last: false, playbook: id)
        }
        if entry.record.kind == .rollback {
            guard let of = entry.record.rollbackOf else {
                throw EngineError.notRollbackable(id: entry.record.id, reason: "it is a rollback that names no run")
            }
            let finished = entry.record.status == .applied || entry.record.status == .verifyFailed
            guard request.retry, !finished else {
                var reason = "it is itself a rollback; apply the playbook again to redo the fix"
                if !finished { reason += "; to finish undoing run \(of): bkfix rollback \(of) --retry" }
                throw EngineError.notRollbackable(id: entry.record.id, reason: reason)
            }
            entry = try store.run(of)
        }
        if let by = entry.rolledBackBy { throw EngineError.alreadyRolledBack(id: entry.record.id, by: by) }
        if request.retry && attempts(of: entry.record.id).isEmpty {
            throw EngineError.nothingToRetry(id: entry.record.id)
        }
        return entry
    }

    /// Earlier rollbacks of a run that did not finish (failed or interrupted), newest first.
    func attempts(of id: String) -> [RunRecord] {
        ((try? store.summaries { $0.kind == .rollback && $0.rollbackOf == id }) ?? []).compactMap {
            try? store.entry($0).record
        }
    }

    /// The inverse plan of a recorded run, and the files that changed since the run (empty when `force`).
    public func plan(for entry: RunEntry, force: Bool) throws -> (Plan, [RollbackConflict]) {
        let record = entry.record
        if let by = entry.rolledBackBy { throw EngineError.alreadyRolledBack(id: record.id, by: by) }
        if record.kind == .rollback {
            throw EngineError.notRollbackable(
                id: record.id, reason: "it is itself a rollback; apply the playbook again to redo the fix")
        }
        // Old records have no base commit: their pre-images are in the run's parent commit.
        return try inverse(
            of: record, runCommit: entry.commit.oid, fallbackBase: entry.commit.parents.first, force: force,
            attempts: attempts(of: record.id))
    }

    /// The inverse of a record, committed (`runCommit`) or just recovered from its journal: pre-images come from the
    /// record's base commit, files already back to them are left alone (a retry), and every command that ran gets
    /// its undo or compensation.
    func inverse(
        of record: RunRecord, runCommit: String?, fallbackBase: String?, force: Bool, attempts: [RunRecord] = []
    ) throws -> (Plan, [RollbackConflict]) {
        let base = record.baseCommit ?? fallbackBase
        var fileChanges: [Change] = []
        var conflicts: [RollbackConflict] = []
        var pins: [FilePin] = []
        var notes: [String] = []
        let files = record.files.reversed().filter { $0.status == .done || $0.status == .unknown }
        // Each node's files are read in one round trip, the nodes at once.
        let ahead = NodeReads(files.map { ($0.host, $0.path) }, hosts: hosts).inspect(width: forks)
        for f in files {
            let key = RunStore.hostPath(f.host, f.path)
            var before: Data? = nil
            if let sha = f.beforeSHA256 {
                guard let base, let pre = try store.repo.read(key, at: base), SHA256.hex(pre) == sha else {
                    throw EngineError.missingPreImage(id: record.id, host: f.host, path: f.path)
                }
                before = pre
            }
            let live: FileSnapshot?
            if let known = ahead[f.host]?[f.path] {
                live = try known.content.get()
            } else {
                live = try hosts.transport(for: f.host).read(f.path)
            }
            let liveSHA = live.map { SHA256.hex($0.data) }
            pins.append(FilePin(host: f.host, path: f.path, sha256: liveSHA))
            if liveSHA != f.beforeSHA256 && (liveSHA != f.afterSHA256 || f.status == .unknown) {
                let after = try runCommit.flatMap { try store.repo.read(key, at: $0) }
                var conflict = RollbackConflict(
                    host: f.host, path: f.path, before: before, after: after, now: live?.data)
                conflict.afterRecorded = runCommit != nil
                conflicts.append(conflict)
            }
            var change = FileChange(
                host: f.host, path: f.path, before: live?.data, after: before, beforeMeta: live?.meta,
                afterMeta: f.beforeMeta ?? live?.meta, binary: f.binary)
            if change.after != nil, change.afterMeta == nil { change.afterMeta = FileMeta(mode: 0o644, uid: 0, gid: 0) }
            if change.isNoOp {
                notes.append("\(f.path) on \(f.host) already has its content from before run \(record.id)")
            } else {
                fileChanges.append(.file(change))
            }
        }

        var compensations: [(change: CommandChange, reason: String?)] = []
        var notUndoable: [CommandChange] = []
        for (k, c) in record.commands.enumerated().reversed() where c.ran {
            if c.risk == .irreversible {
                notUndoable.append(
                    CommandChange(host: c.host, argv: c.argv, workdir: c.workdir, risk: c.risk, summary: c.summary))
            }
            for undo in c.undo {
                var change = undo
                change.host = c.host
                if change.summary.isEmpty {
                    change.summary =
                        c.risk == .reversible
                        ? "undo of: \(c.argv.joined(separator: " "))"
                        : "compensating with `\(change.argv.joined(separator: " "))`"
                }
                var reason: String? = nil
                if c.risk == .irreversible || c.status != .done {
                    change.effect = c.effect.map { "\($0) by run \(record.id)" }
                    reason = Self.reason(compensating: k, in: record, with: change)
                }
                let same = compensations.firstIndex {
                    $0.change.host == change.host && $0.change.argv == change.argv
                        && $0.change.workdir == change.workdir
                }
                if let j = same {
                    // One sync brings the release back for the destroy and the failed sync alike: say why with the
                    // irreversible step, the one that matters.
                    if c.risk == .irreversible || compensations[j].reason == nil {
                        compensations[j].reason = reason
                        compensations[j].change.effect = change.effect
                    }
                } else {
                    compensations.append((change, reason))
                }
            }
        }
        notes += compensations.compactMap(\.reason)
        if let last = attempts.first {
            notes.append(
                "retrying: rollback \(last.id) of this run ended \(last.status.rawValue)"
                    + (last.error.map { ": \($0)" } ?? ""))
        }
        let commands = compensations.map { Change.command($0.change) }
        if fileChanges.isEmpty && commands.isEmpty {
            guard notUndoable.isEmpty else {
                let list = notUndoable.map { $0.argv.joined(separator: " ") }.joined(separator: "; ")
                throw EngineError.notRollbackable(id: record.id, reason: "what it did cannot be undone (\(list))")
            }
            throw EngineError.nothingToRollBack(id: record.id)
        }
        let plan = Plan(
            playbook: record.playbook, cases: record.cases,
            title: Localized(
                zh: "回滚 \(record.id)：\(record.title.zh)", en: "rollback of \(record.id): \(record.title.en)"),
            params: record.params, changes: fileChanges + commands, verify: [], notes: notes, pins: pins,
            notUndoable: notUndoable)
        var inverse = plan
        // What the run observed (a helm release's history), the rollback records again: its compensation changes it.
        if let observed = record.observed, !observed.isEmpty, !commands.isEmpty {
            inverse.observed = observed.map { ObservedFile(host: $0.host, path: $0.path) }
        }
        return (inverse, force ? [] : conflicts)
    }

    /// Why a compensation runs: what the command left, what happened after it, and what the compensation does —
    /// "bk-mysql was destroyed by run X; then sync release bk-mysql failed (exit status 1); syncing bk-mysql again
    /// from the restored values".
    static func reason(compensating index: Int, in record: RunRecord, with compensation: CommandChange) -> String {
        let c = record.commands[index]
        var text =
            c.effect.map { "\($0) by run \(record.id)" } ?? "`\(c.argv.joined(separator: " "))` ran in run \(record.id)"
        if c.status != .done { text += " (it \(c.outcome))" }
        for later in record.commands[(index + 1)...] where later.risk != .readOnly {
            let name = later.summary.isEmpty ? later.argv.joined(separator: " ") : later.summary
            text += "; then \(name) \(later.outcome)"
        }
        return text + "; " + compensation.summary
    }
}
