import Foundation

/// What `rollback --if-unconfirmed` (the command a revert timer runs) did.
public enum RevertOutcome: Sendable {
    /// The run was rolled back.
    case reverted(RunRecord)
    /// Nothing was done, and why (confirmed by whom, or rolled back already).
    case skipped(String)
}

/// Temporary fixes (`apply --revert-after`, `confirm`, `rollback --if-unconfirmed`): the engine decides, under the
/// state lock, whether a change reverts itself, and records each step in `reverts/<run>.json` (see `RevertSchedule`).
extension RunEngine {
    var ledger: RevertLedger { RevertLedger(store: store) }
    var timer: RevertTimer { RevertTimer(control: session.hosts.control, environment: session.options.environment) }

    /// How long after the apply its rollback is scheduled, or nil; refuses (before anything changes) a plan that a
    /// rollback cannot undo, and a machine without systemd.
    func revertDelay(_ request: RevertRequest?, for plan: Plan) throws -> TimeSpan? {
        guard let request, let delay = request.delay(for: plan), !plan.noChanges else { return nil }
        let irreversible = plan.commands.filter { $0.risk == .irreversible }
        if !irreversible.isEmpty { throw RevertError.notRevertible(commands: irreversible.map(\.commandLine)) }
        try timer.checkAvailable()
        return delay
    }

    /// Sets the timer for a run that changed something, and records the schedule (or why it could not be set).
    func scheduleRevert(of record: RunRecord, after delay: TimeSpan, request: RevertRequest) throws {
        guard record.changedSomething, record.status != .interrupted else { return }
        let unit = RevertTimer.unit(for: record.id)
        let command =
            [request.bkfix, "rollback", record.id, "--yes", "--if-unconfirmed"] + request.globalArguments
        let argv = timer.scheduleArgv(unit: unit, delay: delay, command: command)
        let now = Date()
        let result = timer.run(argv)
        var schedule = RevertSchedule(
            run: record.id, playbook: record.playbook, after: delay.description, scheduledAt: now,
            due: now.addingTimeInterval(Double(delay.seconds)), unit: unit, command: argv, state: .scheduled,
            scheduledBy: origin.operatorName)
        if !result.succeeded {
            schedule.state = .notScheduled
            let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            schedule.detail = "systemd-run exited with status \(result.exitCode)" + (why.isEmpty ? "" : ": \(why)")
        }
        let subject =
            schedule.state == .scheduled
            ? "revert scheduled: run \(record.id) reverts in \(delay.description) unless confirmed"
            : "revert NOT scheduled: run \(record.id) stays until rolled back by hand"
        try ledger.save(schedule, subject: subject, operatorName: origin.operatorName)
    }

    /// Keeps a temporary fix: stops its timer and records who confirmed it.
    public func confirm(_ id: String) throws -> RevertSchedule {
        let lock = try takeLock()
        defer { lock.release() }
        let entry = try store.run(id)
        guard var schedule = try ledger.schedule(for: entry.record.id) else {
            throw RevertError.notTemporary(id: entry.record.id)
        }
        switch schedule.state {
        case .confirmed:
            throw RevertError.alreadyConfirmed(
                id: schedule.run, by: schedule.confirmedBy ?? "?", at: schedule.confirmedAt ?? schedule.scheduledAt)
        case .reverted:
            throw RevertError.alreadyReverted(id: schedule.run, by: schedule.revertedBy ?? "?")
        case .notScheduled:
            throw RevertError.notTemporary(id: schedule.run)
        case .scheduled, .revertFailed:
            if let by = entry.rolledBackBy { throw RevertError.alreadyReverted(id: schedule.run, by: by) }
        }
        schedule.detail = timer.cancel(unit: schedule.unit)
        schedule.state = .confirmed
        schedule.confirmedBy = origin.operatorName
        schedule.confirmedAt = Date()
        try ledger.save(
            schedule, subject: "confirm: run \(schedule.run) kept by \(origin.operatorName)",
            operatorName: origin.operatorName)
        return schedule
    }

    /// What a revert timer runs: rolls the run back unless it was confirmed or rolled back already (then it says so
    /// and changes nothing). Waits for the state lock (another bkfix may be running when the timer fires) up to
    /// `lockWait` seconds.
    public func revertIfUnconfirmed(_ request: RollbackRequest, lockWait: Double = 3600) throws -> RevertOutcome {
        let lock = try takeLock(waitingUpTo: lockWait)
        defer { lock.release() }
        try refusePendingRuns()
        let entry: RunEntry
        switch request.target {
        case .run(let id): entry = try store.run(id)
        case .last, .playbook: entry = try rollbackPlanner.resolve(request)
        }
        let schedule = try ledger.schedule(for: entry.record.id)
        if let schedule, schedule.state == .confirmed {
            return .skipped(
                "run \(entry.record.id) was confirmed by \(schedule.confirmedBy ?? "?"); it is kept, nothing to revert")
        }
        if let by = entry.rolledBackBy {
            try settleRevert(of: entry.record.id, byRun: by, onSchedule: false)
            return .skipped("run \(entry.record.id) was already rolled back by run \(by); nothing to revert")
        }
        let plan: Plan
        do {
            plan = try inversePlan(entry, force: request.force)
        } catch {
            try recordRevertFailure(of: entry.record.id, error.localizedDescription)
            throw error
        }
        try frontEnd.review(plan, .rollback)
        Interruption.install()
        let note =
            schedule.map {
                "reverted on schedule (--revert-after \($0.after), timer \($0.unit), set by \($0.scheduledBy))"
            }
            ?? "rolled back because it was not confirmed (--if-unconfirmed)"
        let record = try applier.apply(
            plan, kind: .rollback, rollbackOf: entry.record.id, origin: origin, notes: [note], events: frontEnd.events)
        if record.status == .applied || record.status == .verifyFailed {
            try settleRevert(of: entry.record.id, by: record, onSchedule: schedule != nil)
        } else {
            try recordRevertFailure(of: entry.record.id, "rollback run \(record.id) \(record.status.rawValue)")
        }
        return .reverted(record)
    }

    /// After a rollback of a temporary fix (by its timer or by hand): its schedule says so, and a timer that has not
    /// fired yet is stopped.
    func settleRevert(of runID: String, by record: RunRecord, onSchedule: Bool) throws {
        guard record.status == .applied || record.status == .verifyFailed else { return }
        try settleRevert(of: runID, byRun: record.id, onSchedule: onSchedule)
    }

    private func settleRevert(of runID: String, byRun rollbackID: String, onSchedule: Bool) throws {
        guard var schedule = try ledger.schedule(for: runID), schedule.isPending else { return }
        if !onSchedule { schedule.detail = timer.cancel(unit: schedule.unit) }
        schedule.state = .reverted
        schedule.revertedBy = rollbackID
        schedule.revertedAt = Date()
        schedule.onSchedule = onSchedule
        let subject =
            onSchedule
            ? "revert: run \(runID) reverted on schedule by run \(rollbackID)"
            : "revert: run \(runID) rolled back by run \(rollbackID) before its timer"
        try ledger.save(schedule, subject: subject, operatorName: origin.operatorName)
    }

    private func recordRevertFailure(of runID: String, _ why: String) throws {
        guard var schedule = try ledger.schedule(for: runID), schedule.isPending else { return }
        schedule.state = .revertFailed
        schedule.detail = why
        try ledger.save(schedule, subject: "revert of run \(runID) failed", operatorName: origin.operatorName)
    }

    /// The state lock, waiting while another bkfix holds it (for a timer, which must not give up at once).
    func takeLock(waitingUpTo seconds: Double) throws -> StateLock {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                return try takeLock()
            } catch LockError.held where Date() < deadline {
                usleep(500_000)
            }
        }
    }
}
