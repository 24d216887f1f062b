import ArgumentParser
import BKFix
import Foundation

/// `bkfix rollback RUN_ID | --last | --playbook ID`: undo a run, through the same dry run and confirmation.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo a recorded run (shows the inverse plan and asks first).")

    @Argument(help: "The run to undo.", completion: .custom(Completions.runIDs))
    var runID: String?

    @Flag(help: "Undo the newest apply run that is not rolled back yet.")
    var last = false

    @Option(
        help: "Undo the newest run of this playbook that is not rolled back yet.",
        completion: .custom(Completions.playbookIDs))
    var playbook: String?

    @Flag(help: "Roll back even if a file changed after the run (the live content is recorded as drift first).")
    var force = false

    @Flag(help: "Retry a rollback of this run that failed or was interrupted (RUN_ID may be that rollback's id).")
    var retry = false

    @Flag(help: "Confirm without asking.")
    var yes = false

    @Flag(name: .customLong("dry-run"), help: "Only show the inverse plan.")
    var dryRun = false

    @Flag(
        name: .customLong("if-unconfirmed"),
        help: ArgumentHelp(
            "Only if the run was not confirmed (`bkfix confirm`) nor rolled back yet; otherwise say so and exit 0. "
                + "What a --revert-after timer runs."))
    var ifUnconfirmed = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let given = [runID != nil, last, playbook != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of RUN_ID, --last or --playbook ID") }
        if ifUnconfirmed && (dryRun || retry) {
            throw ValidationError("--if-unconfirmed goes with neither --dry-run nor --retry")
        }
    }

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let presenter = RunPresenter(console: console, session: global.session(), yes: yes)
            let target: RollbackRequest.Target = runID.map { .run($0) } ?? (last ? .last : .playbook(playbook!))
            let request = RollbackRequest(target: target, force: force, retry: retry)
            let engine = try presenter.engine()
            if dryRun {
                let (_, plan) = try engine.rollbackPlan(request)
                if global.json {
                    console.json(JSONOutput.plan(plan))
                } else {
                    console.out(PlanRenderer.render(plan, language: console.lang, color: global.color))
                }
                return .ok
            }
            if ifUnconfirmed {
                return try presenter.refusedAsJSON {
                    switch try engine.revertIfUnconfirmed(request) {
                    case .reverted(let record):
                        return presenter.report(
                            record, revert: try RevertLedger(store: engine.store).schedule(for: record.rollbackOf ?? "")
                        )
                    case .skipped(let why):
                        if global.json {
                            console.json(["run": NSNull(), "status": "skipped", "reason": why])
                        } else {
                            console.out(why + "\n")
                        }
                        return .ok
                    }
                }
            }
            return try presenter.refusedAsJSON { presenter.report(try engine.rollback(request)) }
        }
    }
}
