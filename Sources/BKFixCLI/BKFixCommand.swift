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
            CasesCommand.self, CollectCommand.self, ManualCommand.self,
        ]
    )

    /// ArgumentParser's own entry point, except that a malformed command line with `--json` also prints
    /// `{"error": {"code": "usage", ...}}` on stdout, so scripts always get one JSON document (exit 64 as before).
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
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
}
