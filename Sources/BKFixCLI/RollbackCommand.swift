import ArgumentParser
import BKFix
import Foundation

/// `bkfix rollback RUN_ID | --last | --playbook ID`: undo a run, through the same dry run and confirmation.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo a recorded run (shows the inverse plan and asks first).")

    @Argument(help: "The run to undo.")
    var runID: String?

    @Flag(help: "Undo the newest apply run that is not rolled back yet.")
    var last = false

    @Option(help: "Undo the newest run of this playbook that is not rolled back yet.")
    var playbook: String?

    @Flag(help: "Roll back even if a file changed after the run (the live content is recorded as drift first).")
    var force = false

    @Flag(help: "Confirm without asking.")
    var yes = false

    @Flag(name: .customLong("dry-run"), help: "Only show the inverse plan.")
    var dryRun = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let given = [runID != nil, last, playbook != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of RUN_ID, --last or --playbook ID") }
    }

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let store = try session.openStore()
            let planner = RollbackPlanner(store: store, hosts: session.hosts)
            let entry = try runID.map { try store.run($0) } ?? planner.target(last: last, playbook: playbook)
            let (plan, conflicts) = try planner.plan(for: entry, force: force)
            if let c = conflicts.first {
                if !global.json { console.out(threeVersions(c)) }
                throw EngineError.changedSinceRun(host: c.host, path: c.path, runID: entry.record.id)
            }
            if dryRun {
                if global.json {
                    console.json(JSONOutput.plan(plan))
                } else {
                    console.out(PlanRenderer.render(plan, language: console.lang, color: global.color))
                }
                return .ok
            }
            return try RunPresenter(console: console, session: session).execute(
                plan, yes: yes, kind: .rollback, rollbackOf: entry.record.id)
        }
    }

    private func threeVersions(_ c: RollbackConflict) -> String {
        var masker = SecretMasker()
        var s = Messages.format(Messages.changedSince, global.language, "\(c.host):\(c.path)") + "\n"
        for (label, data) in [("before the run", c.before), ("after the run", c.after), ("now", c.now)] {
            s += "--- \(label) ---\n"
            s += data.map { masker.text(String(decoding: $0, as: UTF8.self)) } ?? "(absent)\n"
            if let d = data, d.last != UInt8(ascii: "\n") { s += "\n" }
        }
        s += "--- now vs after the run ---\n"
        s += masker.text(
            UnifiedDiff.render(old: c.after, new: c.now, oldLabel: "after-run\(c.path)", newLabel: "now\(c.path)"))
        if let masked = masker.summary(global.language) { s += masked + "\n" }
        return s
    }
}
