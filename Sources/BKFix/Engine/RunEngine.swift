import Foundation

/// How a front end takes part in a run: it shows what the engine is about to do and asks, and it hears what happens.
/// It decides nothing: the engine does.
public struct RunFrontEnd: Sendable {
    /// Shows the plan about to run and returns once the operator agreed; throws (`EngineError.needsConfirmation`,
    /// `.confirmationDeclined`) to refuse.
    public var review: @Sendable (Plan, RunKind) throws -> Void
    /// Files changed since the run to roll back; called just before the engine refuses (or with `--force` never).
    public var conflicts: @Sendable ([RollbackConflict]) -> Void
    /// An interrupted run recover found, classified, before its undo plan is reviewed.
    public var found: @Sendable (RunRecord) -> Void
    /// The lock of a process that died was cleared.
    public var staleLockCleared: @Sendable (LockHolder) -> Void
    public var events: @Sendable (ApplyEvent) -> Void
    /// The review waits for an operator (no `--yes`): files may change meanwhile, so what was checked before it is
    /// checked again after it.
    public var asks: Bool

    public init(
        review: @escaping @Sendable (Plan, RunKind) throws -> Void,
        conflicts: @escaping @Sendable ([RollbackConflict]) -> Void = { _ in },
        found: @escaping @Sendable (RunRecord) -> Void = { _ in },
        staleLockCleared: @escaping @Sendable (LockHolder) -> Void = { _ in },
        events: @escaping @Sendable (ApplyEvent) -> Void = { _ in }, asks: Bool = true
    ) {
        self.asks = asks
        self.review = review
        self.conflicts = conflicts
        self.found = found
        self.staleLockCleared = staleLockCleared
        self.events = events
    }
}

/// One interrupted run as `recover` left it.
public struct RecoveredRun: Sendable {
    /// Its record as committed: classified from the live files, status `interrupted` (or the record that was already
    /// committed when bkfix died after its final commit).
    public var record: RunRecord
    /// The process that died.
    public var pid: Int32
    /// bkfix died after committing the run: only its journal was left.
    public var alreadyRecorded: Bool
    /// With `--undo`: the rollback run that undid it (or that finished the rollback it was).
    public var undoneBy: RunRecord?
    /// With `--undo`: why nothing had to be undone.
    public var nothingToUndo: String?
}

/// What `recover` did: the runs it recorded (and undid), and the journals it could not read (kept aside).
public struct RecoveryReport: Sendable {
    public var recovered: [RecoveredRun] = []
    public var unreadable: [(journal: String, keptAs: String)] = []
}

/// The one door through which apply, rollback and recover change anything, whichever front end calls it. Each
/// takes the state lock; apply and rollback refuse while an interrupted run's journal is pending; every decision
/// (which run, already rolled back, stale plan, what to undo) is made under the lock; the front end reviews the plan;
/// only then does the applier run it.
public struct RunEngine: Sendable {
    public let session: Session
    public let store: RunStore
    public let origin: RunOrigin
    public let frontEnd: RunFrontEnd

    public init(session: Session, store: RunStore, origin: RunOrigin, frontEnd: RunFrontEnd) {
        self.session = session
        self.store = store
        self.origin = origin
        self.frontEnd = frontEnd
    }

    var recovery: Recovery { Recovery(store: store, hosts: session.hosts) }
    var rollbackPlanner: RollbackPlanner {
        RollbackPlanner(store: store, hosts: session.hosts, forks: session.options.forks)
    }
    var applier: Applier { session.applier(store) }

    /// Applies a plan; `saved` plans are first checked against the files and the command answers they were made
    /// from. With `revert`, a run that changed something is rolled back by a systemd timer unless confirmed (see
    /// `RevertSchedule`); a plan that cannot be reverted, or no systemd, is refused before anything changes.
    public func apply(_ plan: Plan, saved: Bool = false, revert: RevertRequest? = nil) throws -> RunRecord {
        let delay = try revertDelay(revert, for: plan)
        let lock = try takeLock()
        defer { lock.release() }
        try refusePendingRuns()
        if saved {
            try applier.checkPins(plan)
            try recheckDecisions(plan)
        }
        try frontEnd.review(plan, .apply)
        Interruption.install()
        // A plan made now was read before the lock was taken: another bkfix may have changed its files since, so its
        // pins are checked now, under the lock. A saved plan's were just checked under it: they are read again only
        // when an operator was asked in between, which can take any time.
        let record = try applier.apply(
            plan, origin: origin, pinsChecked: saved && !frontEnd.asks, events: frontEnd.events)
        if let delay, let revert { try scheduleRevert(of: record, after: delay, request: revert) }
        return record
    }

    /// The inverse plan a rollback would run, without taking the lock or changing anything (`--dry-run`).
    public func rollbackPlan(_ request: RollbackRequest) throws -> (RunEntry, Plan) {
        let entry = try rollbackPlanner.resolve(request)
        return (entry, try inversePlan(entry, force: request.force))
    }

    /// Rolls a run back: under the lock, decides which run and whether it may be rolled back, plans its inverse,
    /// lets the front end review it, and runs it as a run of kind `rollback`.
    public func rollback(_ request: RollbackRequest) throws -> RunRecord {
        let lock = try takeLock()
        defer { lock.release() }
        try refusePendingRuns()
        let entry = try rollbackPlanner.resolve(request)
        let plan = try inversePlan(entry, force: request.force)
        try frontEnd.review(plan, .rollback)
        Interruption.install()
        // The inverse plan just read the live files under the lock: they are read again only after a prompt.
        let record = try applier.apply(
            plan, kind: .rollback, rollbackOf: entry.record.id, origin: origin, pinsChecked: !frontEnd.asks,
            events: frontEnd.events)
        try settleRevert(of: entry.record.id, by: record, onSchedule: false)
        return record
    }

    /// Completes the record of every interrupted run; with `undo`, also rolls each back through the same plan as
    /// `rollback` (reviewed first; a refusal records nothing and keeps the journal). An interrupted rollback is
    /// finished instead of undone: rolling back a rollback is never done.
    public func recover(undo: Bool, force: Bool = false) throws -> RecoveryReport {
        let lock = try takeLock()
        defer { lock.release() }
        var report = RecoveryReport()
        for pending in recovery.pending() where !pending.alive {
            guard let journal = pending.journal else {
                // A journal that cannot be read is kept aside, never deleted: it is evidence.
                let keptAs = Recovery.setAsidePath(for: pending.journalPath)
                rename(pending.journalPath, keptAs)
                report.unreadable.append((pending.journalPath, keptAs))
                continue
            }
            let existing = try recovery.committed(journal.record.id)
            var (record, contents) = try existing.map { ($0.record, [:]) } ?? recovery.classify(journal)
            frontEnd.found(record)
            var item = RecoveredRun(record: record, pid: journal.pid, alreadyRecorded: existing != nil)
            var inverse: (plan: Plan, of: String)?
            if undo {
                switch try undoPlan(for: record, existing: existing, force: force) {
                case .plan(let plan, let of):
                    try frontEnd.review(plan, .rollback)
                    inverse = (plan, of)
                case .nothing(let why):
                    item.nothingToUndo = why
                }
            }
            if existing == nil {
                if inverse != nil { record.error = (record.error.map { $0 + "; " } ?? "") + "undone by recover" }
                try store.commitRun(record, contents: contents)
                item.record = record
            }
            unlink(pending.journalPath)
            if let inverse {
                Interruption.install()
                let undone = try applier.apply(
                    inverse.plan, kind: .rollback, rollbackOf: inverse.of, origin: origin,
                    notes: ["undone by recover"], events: frontEnd.events)
                item.undoneBy = undone
                try settleRevert(of: inverse.of, by: undone, onSchedule: false)
            }
            report.recovered.append(item)
        }
        return report
    }

    /// What undoing an interrupted run means.
    enum UndoPlan {
        case plan(Plan, of: String)
        case nothing(String)
    }

    func undoPlan(for record: RunRecord, existing: RunEntry?, force: Bool) throws -> UndoPlan {
        do {
            if record.kind == .rollback {
                guard let of = record.rollbackOf, record.status != .applied, record.status != .verifyFailed else {
                    return .nothing("it was a rollback that had finished")
                }
                let original = try store.run(of)
                if let by = original.rolledBackBy { return .nothing("run \(of) was rolled back by run \(by)") }
                do {
                    return .plan(try inversePlan(original, force: force), of: of)
                } catch EngineError.nothingToRollBack {
                    // Killed after its last write: the rollback had done all there was to do.
                    return .nothing("it had already put back everything run \(of) changed")
                }
            }
            if let existing {
                if let by = existing.rolledBackBy { return .nothing("it was rolled back by run \(by)") }
                return .plan(try inversePlan(existing, force: force), of: existing.record.id)
            }
            let (plan, conflicts) = try rollbackPlanner.inverse(
                of: record, runCommit: nil, fallbackBase: nil, force: force)
            try refuse(conflicts, runID: record.id)
            return .plan(plan, of: record.id)
        } catch EngineError.nothingToRollBack {
            return .nothing("it had not changed anything yet")
        }
    }

    /// The inverse plan of a committed run, refused (after showing the three versions) when a file changed since.
    func inversePlan(_ entry: RunEntry, force: Bool) throws -> Plan {
        let (plan, conflicts) = try rollbackPlanner.plan(for: entry, force: force)
        try refuse(conflicts, runID: entry.record.id)
        return plan
    }

    private func refuse(_ conflicts: [RollbackConflict], runID: String) throws {
        guard let first = conflicts.first else { return }
        frontEnd.conflicts(conflicts)
        throw EngineError.changedSinceRun(host: first.host, path: first.path, runID: runID)
    }

    func takeLock() throws -> StateLock {
        let lock = try StateLock.acquire(in: store.runtimeDir, command: origin.command.joined(separator: " "))
        if let stale = lock.clearedStale { frontEnd.staleLockCleared(stale) }
        return lock
    }

    /// Nothing changes while an interrupted run is unrecorded: its journal would describe a world that moved on.
    func refusePendingRuns() throws {
        if let pending = recovery.pending().first(where: { !$0.alive }) {
            throw EngineError.interruptedRunPending(id: pending.journal?.record.id ?? pending.journalPath)
        }
    }

    /// For a saved plan: asks every command the plan's decisions were made from again. When an answer changed, it
    /// plans again: if the new plan is the same, the part of the answer that mattered did not change (a clock in
    /// `docker info`) and the plan goes on; otherwise it refuses, naming the command.
    func recheckDecisions(_ plan: Plan) throws {
        var changed: [QueryPin] = []
        for query in plan.queries {
            let answer = try? session.hosts.transport(for: query.host).run(
                CommandSpec(argv: query.argv, workdir: query.workdir, timeout: 60), output: nil)
            if answer.map(QueryPin.digest) != query.sha256 { changed.append(query) }
        }
        guard let first = changed.first else { return }
        let others = changed.dropFirst().map { "`\($0.argv.joined(separator: " "))` on \($0.host)" }
        let also = others.isEmpty ? "" : "; also changed: " + others.joined(separator: ", ")
        let fresh: Plan
        do {
            fresh = try session.replan(plan)
        } catch {
            throw EngineError.staleDecision(
                host: first.host, command: first.argv.joined(separator: " "),
                reason: "planning again now fails: \(error.localizedDescription)\(also)")
        }
        guard fresh.changes != plan.changes else { return }
        throw EngineError.staleDecision(
            host: first.host, command: first.argv.joined(separator: " "),
            reason: "planning again now gives a different plan\(also)")
    }
}
