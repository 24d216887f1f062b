import ArgumentParser
import BKFix
import Foundation

/// `bkfix plan PLAYBOOK [-p key=value ...] [--out plan.json]`: the dry run. Never changes anything.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what a playbook would change (a dry run; nothing is changed).")

    @Argument(help: "Playbook id (see `bkfix playbooks`).", completion: .custom(Completions.playbookIDs))
    var playbook: String

    @Option(
        name: [.customShort("p"), .customLong("param")],
        help: ArgumentHelp("A parameter, key=value (lists comma-separated).", valueName: "key=value"),
        completion: .custom(Completions.paramNames))
    var params: [String] = []

    @Option(help: "Also write the plan, pinned to the sha256 of every file read, for `apply --plan`.")
    var out: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let plan = try global.session().plan(playbook: playbook, assignments: params)
            if let out {
                try AtomicFile.write(try RunStore.encoder.encode(plan), to: global.absolute(out))
            }
            if global.json {
                var doc = JSONOutput.plan(plan)
                if let out { doc["out"] = global.absolute(out) }
                console.json(doc)
            } else {
                console.out(PlanRenderer.render(plan, language: console.lang, color: global.color))
                if let out { console.out("plan written to \(out)\n") }
            }
            return .ok
        }
    }
}
