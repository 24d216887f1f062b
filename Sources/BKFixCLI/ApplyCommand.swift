import ArgumentParser
import BKFix
import Foundation

/// `bkfix apply PLAYBOOK [-p ...]` or `bkfix apply --plan plan.json`: apply after confirmation, record the run.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a playbook (or a saved plan) after confirmation, and record the run.")

    @Argument(help: "Playbook id (omit with --plan).")
    var playbook: String?

    @Option(name: [.customShort("p"), .customLong("param")], help: "A parameter, key=value (lists comma-separated).")
    var params: [String] = []

    @Option(help: "Apply exactly this saved plan; refused if any file it read has changed since.")
    var plan: String?

    @Flag(help: "Confirm without asking (for automation).")
    var yes = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (playbook == nil) == (plan == nil) {
            throw ValidationError("give a playbook id or --plan FILE (one of them)")
        }
        if plan != nil && !params.isEmpty { throw ValidationError("-p cannot change a saved plan; make a new one") }
    }

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let thePlan: Plan
            if let path = plan {
                let file = global.absolute(path)
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
                    throw EngineError.unreadablePlan(path: file, reason: "it is a directory, not a plan file")
                }
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw EngineError.unreadablePlan(path: file, reason: "cannot read the file")
                }
                do {
                    thePlan = try RunStore.decoder.decode(Plan.self, from: data)
                } catch {
                    throw EngineError.unreadablePlan(
                        path: file, reason: "not a bkfix plan (\(RunStore.decodingProblem(error)))")
                }
                guard thePlan.format == Plan.currentFormat else {
                    throw EngineError.unreadablePlan(
                        path: file,
                        reason: "plan format \(thePlan.format), this bkfix reads format \(Plan.currentFormat); "
                            + "make the plan again with this bkfix")
                }
            } else {
                thePlan = try session.plan(playbook: playbook!, assignments: params)
            }
            return try RunPresenter(console: console, session: session).execute(
                thePlan, yes: yes, kind: .apply, rollbackOf: nil)
        }
    }
}

/// The shared tail of apply and rollback: show the plan, confirm, lock, apply, report.
struct RunPresenter {
    let console: Console
    let session: Session

    func execute(_ plan: Plan, yes: Bool, kind: RunKind, rollbackOf: String?) throws -> ExitStatus {
        let lang = console.lang
        if plan.noChanges && plan.notUndoable.isEmpty && plan.unreachableHosts == nil {
            if console.options.json {
                console.json(["run": NSNull(), "status": "no-changes", "plan": JSONOutput.plan(plan)])
            } else {
                console.out(PlanRenderer.render(plan, language: lang, color: console.options.color))
            }
            return .ok
        }
        if !console.options.json {
            console.out(PlanRenderer.render(plan, language: lang, color: console.options.color))
        }
        let store = try session.openStore()
        let lock = try console.lock(store, command: invocation.joined(separator: " "))
        defer { lock.release() }
        if let pending = Recovery(store: store, hosts: session.hosts).pending().first(where: { !$0.alive }) {
            throw EngineError.interruptedRunPending(id: pending.journal?.record.id ?? pending.journalPath)
        }
        do {
            if !yes { try console.confirm(plan, rollback: kind == .rollback) }
        } catch {
            if console.options.json {
                console.json([
                    "run": NSNull(), "status": "refused",
                    "error": ["code": "not-confirmed", "message": error.localizedDescription],
                ])
                return .refused
            }
            throw error
        }
        Interruption.install()
        let status = StatusLine(enabled: !console.options.json && isatty(STDERR_FILENO) == 1)
        let origin = RunOrigin.current(command: invocation, environment: session.options.environment)
        let record = try session.applier(store).apply(
            plan, kind: kind, rollbackOf: rollbackOf, origin: origin,
            events: { [console, status] in console.progress($0, status: status) })
        if console.options.json {
            console.json(
                JSONOutput.masked([
                    "run": record.id, "status": record.status.rawValue, "kind": record.kind.rawValue,
                    "rollbackOf": record.rollbackOf.map { $0 as Any } ?? NSNull(),
                    "error": record.error.map { $0 as Any } ?? NSNull(),
                    "verify": record.verify.map {
                        ["check": $0.check, "host": $0.host, "ok": $0.ok, "detail": $0.detail]
                    },
                ]))
        } else {
            if let e = record.error { console.err("bkfix: \(SecretMasker.apply(e))\n") }
            console.out(Messages.format(Messages.runRecorded, lang, record.id, record.status.rawValue) + "\n")
            if record.kind == .apply && record.changedSomething {
                console.out(Messages.format(Messages.rollbackHint, lang, record.id) + "\n")
            }
        }
        switch record.status {
        case .applied: return .ok
        case .interrupted: return .interrupted
        case .verifyFailed: return .verifyFailed
        default: return .failure
        }
    }
}
