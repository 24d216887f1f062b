import ArgumentParser
import BKFix
import Foundation

/// The `bkfix` command: parsing and presentation only; everything that decides or changes lives in `BKFix`.
@main
struct BKFixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bkfix",
        abstract: "Diagnose and fix BlueKing CE 7 helm/helmfile deployment failures, with a git-backed audit trail.",
        version: BuildInfo.versionText(libgit2: StateRepo.libgit2Version),
        subcommands: [
            DiagnoseCommand.self, FixCommand.self, PlanCommand.self, ApplyCommand.self, RollbackCommand.self,
            ConfirmCommand.self,
            HistoryCommand.self, ShowCommand.self, StatusCommand.self, RecoverCommand.self, PlaybooksCommand.self,
            PlaybookCommand.self, DemoCommand.self,
            CasesCommand.self, CollectCommand.self, ManualCommand.self, GcCommand.self,
        ]
    )

    /// ArgumentParser's own entry point, except that a malformed command line with `--json` also prints
    /// `{"error": {"code": "usage", ...}}` on stdout, so scripts always get one JSON document (exit 64 as before).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try quickParse(arguments) ?? parseAsRoot(arguments)
            try command.run()
        } catch {
            if arguments.contains("--json"), exitCode(for: error) == .validationFailure {
                let message = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
                FileHandle.standardOutput.write(
                    Data(JSONOutput.serialize(JSONOutput.error(code: "usage", message: message)).utf8))
            }
            exit(withError: error)
        }
    }

    /// The subcommands that take no subcommand themselves, by name.
    static let leafCommands: [String: ParsableCommand.Type] = [
        "diagnose": DiagnoseCommand.self, "fix": FixCommand.self, "plan": PlanCommand.self, "apply": ApplyCommand.self,
        "rollback": RollbackCommand.self, "history": HistoryCommand.self, "show": ShowCommand.self,
        "status": StatusCommand.self, "recover": RecoverCommand.self, "playbooks": PlaybooksCommand.self,
        "demo": DemoCommand.self, "collect": CollectCommand.self, "gc": GcCommand.self,
    ]

    /// `bkfix SUBCOMMAND ARGS` parsed by the subcommand alone. `parseAsRoot` first builds the tree of every
    /// subcommand, which costs more than `plan` or `history --limit 10` themselves (three quarters of a short
    /// command's instructions). Help, completion and any line the subcommand refuses go the full way (nil), so
    /// their output and errors are ArgumentParser's own.
    static func quickParse(_ arguments: [String]) -> ParsableCommand? {
        guard let name = arguments.first, let command = leafCommands[name] else { return nil }
        let rest = Array(arguments.dropFirst())
        let fullWay: Set<String> = ["-h", "--help", "-help", "help", "--version", "--generate-completion-script"]
        guard !rest.contains(where: { fullWay.contains($0) || $0.hasPrefix("--generate-completion-script") })
        else { return nil }
        return try? command.parseAsRoot(rest)
    }
}
