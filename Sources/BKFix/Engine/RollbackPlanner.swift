import Foundation

/// A file that changed after the run being rolled back: the three versions the operator must see.
public struct RollbackConflict: Sendable {
    public var host: String
    public var path: String
    public var before: Data?
    public var after: Data?
    public var now: Data?
}

/// Builds the inverse plan of a recorded run (SPEC §9): files back to their exact pre-run bytes and mode (created
/// files removed), then the undo or compensation of each command in reverse order; irreversible ones listed.
public struct RollbackPlanner: Sendable {
    public var store: RunStore
    public var hosts: HostDirectory

    public init(store: RunStore, hosts: HostDirectory) {
        self.store = store
        self.hosts = hosts
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

    /// The inverse plan, and the files that changed since the run (empty unless `force` is false and it refuses).
    public func plan(for entry: RunEntry, force: Bool) throws -> (Plan, [RollbackConflict]) {
        let record = entry.record
        if let by = entry.rolledBackBy { throw EngineError.alreadyRolledBack(id: record.id, by: by) }
        if record.kind == .rollback {
            throw EngineError.notRollbackable(
                id: record.id, reason: "it is itself a rollback; apply the playbook again to redo the fix")
        }
        // The run's parent commit holds every pre-image (bkfix records them before writing); a root commit means
        // the repo was empty, so every file the run touched was absent before.
        let parent = entry.commit.parents.first
        var fileChanges: [Change] = []
        var conflicts: [RollbackConflict] = []
        var pins: [FilePin] = []
        for f in record.files.reversed() where f.status == .done {
            let key = RunStore.hostPath(f.host, f.path)
            let before = try parent.flatMap { try store.repo.read(key, at: $0) }
            let after = try store.repo.read(key, at: entry.commit.oid)
            let live = try hosts.transport(for: f.host).read(f.path)
            pins.append(FilePin(host: f.host, path: f.path, sha256: live.map { SHA256.hex($0.data) }))
            if live?.data != after {
                conflicts.append(
                    RollbackConflict(host: f.host, path: f.path, before: before, after: after, now: live?.data))
            }
            var change = FileChange(
                host: f.host, path: f.path, before: live?.data, after: before, beforeMeta: live?.meta,
                afterMeta: f.beforeMeta ?? live?.meta, binary: f.binary)
            if change.after != nil, change.afterMeta == nil { change.afterMeta = FileMeta(mode: 0o644, uid: 0, gid: 0) }
            if !change.isNoOp { fileChanges.append(.file(change)) }
        }
        var commands: [Change] = []
        var notUndoable: [CommandChange] = []
        for c in record.commands.reversed() where c.status == .done {
            let original = CommandChange(
                host: c.host, argv: c.argv, workdir: c.workdir, risk: c.risk, summary: c.summary)
            switch c.risk {
            case .readOnly: continue
            case .irreversible: notUndoable.append(original)
            case .reversible, .compensating:
                for undo in c.undo {
                    var change = undo
                    change.host = c.host
                    if change.summary.isEmpty { change.summary = "undo of: \(c.argv.joined(separator: " "))" }
                    if !commands.contains(.command(change)) { commands.append(.command(change)) }
                }
            }
        }
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
            params: record.params, changes: fileChanges + commands, verify: [], notes: [], pins: pins,
            notUndoable: notUndoable)
        return (plan, force ? [] : conflicts)
    }
}
