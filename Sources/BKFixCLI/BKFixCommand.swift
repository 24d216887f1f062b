import ArgumentParser
import BKFix

/// The `bkfix` command: parsing and presentation only; everything that decides or changes lives in `BKFix`.
@main
struct BKFixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bkfix",
        abstract: "Diagnose and fix BlueKing CE 7 helm/helmfile deployment failures, with a git-backed audit trail.",
        subcommands: [
            PlanCommand.self, ApplyCommand.self, RollbackCommand.self, HistoryCommand.self, ShowCommand.self,
            StatusCommand.self, RecoverCommand.self, PlaybooksCommand.self, PlaybookCommand.self, DemoCommand.self,
        ]
    )
}
