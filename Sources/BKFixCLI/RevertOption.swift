import ArgumentParser
import BKFix
import Foundation

/// `--revert-after DURATION|none`, shared by apply and fix: a temporary fix that systemd rolls back unless
/// `bkfix confirm RUN` keeps it.
struct RevertOption: ParsableArguments {
    @Option(
        name: .customLong("revert-after"),
        help: ArgumentHelp(
            "Roll the change back after DURATION (30m, 2h, 1h30m) unless `bkfix confirm RUN` keeps it; 'none' keeps "
                + "it. Default: the playbook's proposal, if any. Needs systemd.", valueName: "duration"))
    var revertAfter: String?

    func validate() throws {
        guard let revertAfter, !["none", "0"].contains(revertAfter) else { return }
        if TimeSpan(revertAfter) == nil {
            throw ValidationError(
                "--revert-after \(revertAfter): expected a duration such as 30m, 2h or 1h30m, or none")
        }
    }

    /// The request the engine schedules from, repeating this invocation's global options for the timer's bkfix.
    func request(_ global: GlobalOptions, session: Session) -> RevertRequest {
        let when: RevertRequest.When
        switch revertAfter {
        case nil: when = .playbookDefault
        case "none", "0": when = .never
        case let text?: when = .after(TimeSpan(text)!)
        }
        var arguments = [
            "--state", session.statePath, "--root", session.options.root, "--lang", global.language.rawValue,
        ]
        if let installDir = session.installDir { arguments += ["--install-dir", installDir] }
        for dir in session.options.playbookDirs { arguments += ["--playbooks", dir] }
        if let inventory = session.options.inventory { arguments += ["--inventory", inventory] }
        if session.options.keepGoing { arguments.append("--keep-going") }
        return RevertRequest(when: when, bkfix: Self.runningBinary, globalArguments: arguments)
    }

    /// The absolute path of this bkfix binary (what the timer runs later).
    static var runningBinary: String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
        let first = CommandLine.arguments[0]
        return first.hasPrefix("/") ? first : FileManager.default.currentDirectoryPath + "/" + first
    }
}
