import ArgumentParser
import BKFix
import Foundation

/// `bkfix apply PLAYBOOK [-p ...]` or `bkfix apply --plan plan.json`: apply after confirmation, record the run.
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a playbook (or a saved plan) after confirmation, and record the run.")

    @Argument(help: "Playbook id (omit with --plan).", completion: .custom(Completions.playbookIDs))
    var playbook: String?

    @Option(
        name: [.customShort("p"), .customLong("param")],
        help: ArgumentHelp("A parameter, key=value (lists comma-separated).", valueName: "key=value"),
        completion: .custom(Completions.paramNames))
    var params: [String] = []

    @Option(help: "Apply exactly this saved plan; refused if any file it read or command answer it used has changed.")
    var plan: String?

    @Flag(help: "Confirm without asking (for automation).")
    var yes = false

    @OptionGroup var revert: RevertOption

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
            let presenter = RunPresenter(console: console, session: session, yes: yes)
            let temporary = revert.request(global, session: session)
            if let path = plan {
                return try presenter.apply(
                    try Plan.load(savedAt: global.absolute(path)), saved: true, revert: temporary)
            }
            return try presenter.apply(
                try session.plan(playbook: playbook!, assignments: params), saved: false, revert: temporary)
        }
    }
}
