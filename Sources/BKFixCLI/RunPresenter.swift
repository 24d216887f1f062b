import BKFix
import Foundation

/// The front end of apply, rollback and recover: shows plans and asks, shows progress, reports the run. The engine
/// takes the lock and decides; this only presents.
struct RunPresenter {
    let console: Console
    let session: Session
    /// Confirmed on the command line (`--yes`).
    let yes: Bool

    /// The engine, with this front end plugged in.
    func engine() throws -> RunEngine {
        let status = StatusLine(enabled: !console.options.json && isatty(STDERR_FILENO) == 1)
        let frontEnd = RunFrontEnd(
            review: { [console, yes] plan, kind in
                if !console.options.json {
                    console.out(PlanRenderer.render(plan, language: console.lang, color: console.options.color))
                }
                if !yes { try console.confirm(plan, rollback: kind == .rollback) }
            },
            conflicts: { [console] conflicts in
                guard !console.options.json, let c = conflicts.first else { return }
                console.out(Self.threeVersions(c, language: console.lang))
            },
            found: { [console] record in
                if !console.options.json { console.out(Self.steps(of: record)) }
            },
            staleLockCleared: { [console] stale in
                console.err(Messages.format(Messages.staleLock, console.lang, String(stale.pid), stale.command) + "\n")
            },
            events: { [console, status] in console.progress($0, status: status) }, asks: !yes)
        let origin = RunOrigin.current(command: invocation, environment: session.options.environment)
        return session.engine(store: try session.openStore(), origin: origin, frontEnd: frontEnd)
    }

    /// Applies a plan through the engine (a plan with nothing to do is only shown); with `revert`, a temporary fix.
    func apply(_ plan: Plan, saved: Bool, revert: RevertRequest? = nil) throws -> ExitStatus {
        if plan.noChanges && plan.notUndoable.isEmpty && plan.unreachableHosts == nil {
            if console.options.json {
                console.json(["run": NSNull(), "status": "no-changes", "plan": JSONOutput.plan(plan)])
            } else {
                console.out(PlanRenderer.render(plan, language: console.lang, color: console.options.color))
            }
            return .ok
        }
        return try refusedAsJSON {
            let engine = try engine()
            let record = try engine.apply(plan, saved: saved, revert: revert)
            return report(record, revert: try RevertLedger(store: engine.store).schedule(for: record.id))
        }
    }

    /// With `--json`, a refused confirmation is a document with status `refused` (exit 3), like a finished run.
    func refusedAsJSON(_ body: () throws -> ExitStatus) throws -> ExitStatus {
        do {
            return try body()
        } catch let error as EngineError where console.options.json {
            switch error {
            case .needsConfirmation, .confirmationDeclined:
                console.json([
                    "run": NSNull(), "status": "refused",
                    "error": ["code": error.jsonCode, "message": error.localizedDescription],
                ])
                return .refused
            default: throw error
            }
        }
    }

    /// Prints the outcome of a run and returns its exit status; a temporary fix also says when it reverts (and
    /// fails the command when its timer could not be set: the change would stay without anyone knowing).
    func report(_ record: RunRecord, revert: RevertSchedule? = nil) -> ExitStatus {
        let lang = console.lang
        if console.options.json {
            var doc = Self.json(record)
            if let revert { doc["revert"] = RevertRenderer.json(revert, language: lang) }
            console.json(JSONOutput.masked(doc))
        } else {
            if let e = record.error { console.err("bkfix: \(SecretMasker.apply(e))\n") }
            console.out(Messages.format(Messages.runRecorded, lang, record.id, record.status.rawValue) + "\n")
            if let revert {
                let line = RevertRenderer.line(revert, language: lang)
                if revert.state == .notScheduled { console.err("bkfix: \(line)\n") } else { console.out(line + "\n") }
            }
            if record.kind == .apply && record.changedSomething {
                console.out(Messages.format(Messages.rollbackHint, lang, record.id) + "\n")
            }
        }
        if revert?.state == .notScheduled && Self.exitStatus(record) == .ok { return .failure }
        return Self.exitStatus(record)
    }

    static func exitStatus(_ record: RunRecord) -> ExitStatus {
        switch record.status {
        case .applied: return .ok
        case .interrupted: return .interrupted
        case .verifyFailed: return .verifyFailed
        case .failed, .running: return .failure
        }
    }

    static func json(_ record: RunRecord) -> [String: Any] {
        [
            "run": record.id, "status": record.status.rawValue, "kind": record.kind.rawValue,
            "rollbackOf": record.rollbackOf.map { $0 as Any } ?? NSNull(),
            "error": record.error.map { $0 as Any } ?? NSNull(), "notes": record.notes,
            "verify": record.verify.map { ["check": $0.check, "host": $0.host, "ok": $0.ok, "detail": $0.detail] },
        ]
    }

    /// An interrupted run, per host and step: what was done, what was running (outcome unknown), what never started.
    static func steps(of record: RunRecord) -> String {
        var masker = SecretMasker()
        var s = "interrupted run \(record.id) (\(record.kind.rawValue) \(record.playbook)):\n"
        let steps = record.steps
        let width = steps.map(\.phrase.count).max() ?? 0
        for host in record.hosts.isEmpty ? ["control"] : record.hosts {
            let mine = steps.filter { $0.host == host }
            guard !mine.isEmpty else { continue }
            s += "  \(host):\n"
            for step in mine {
                s +=
                    "    \(step.phrase.padding(toLength: width, withPad: " ", startingAt: 0))  \(masker.text(step.what))\n"
            }
        }
        return s
    }

    /// A file that changed after the run: before, after and now, then now against after.
    static func threeVersions(_ c: RollbackConflict, language: Language) -> String {
        var masker = SecretMasker()
        var s = Messages.format(Messages.changedSince, language, "\(c.host):\(c.path)") + "\n"
        for (label, data) in [("before the run", c.before), ("after the run", c.after), ("now", c.now)] {
            s += "--- \(label) ---\n"
            guard c.afterRecorded || label != "after the run" else {
                s += "(not recorded: the run was interrupted before its record was written)\n"
                continue
            }
            s += data.map { masker.text(String(decoding: $0, as: UTF8.self)) } ?? "(absent)\n"
            if let d = data, d.last != UInt8(ascii: "\n") { s += "\n" }
        }
        let base = c.afterRecorded ? c.after : c.before
        s += "--- now vs \(c.afterRecorded ? "after" : "before") the run ---\n"
        s += masker.text(
            UnifiedDiff.render(
                old: base, new: c.now, oldLabel: "\(c.afterRecorded ? "after" : "before")-run\(c.path)",
                newLabel: "now\(c.path)"))
        if let masked = masker.summary(language) { s += masked + "\n" }
        return s
    }
}
