import ArgumentParser
import BKFix
import Foundation

/// `bkfix confirm RUN_ID`: keep a temporary fix (`apply --revert-after`): its timer is stopped and the state repo
/// records who confirmed it.
struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Keep a change applied with --revert-after: cancel its scheduled rollback.")

    @Argument(help: "The run to keep.")
    var runID: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let engine = try RunPresenter(console: console, session: session, yes: true).engine()
            let schedule = try engine.confirm(runID)
            if global.json {
                console.json(["run": schedule.run, "revert": RevertRenderer.json(schedule, language: console.lang)])
            } else {
                console.out(RevertRenderer.line(schedule, language: console.lang) + "\n")
                if let detail = schedule.detail { console.out(detail + "\n") }
            }
            return .ok
        }
    }
}
