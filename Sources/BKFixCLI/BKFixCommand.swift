import ArgumentParser
import BKFix

@main
struct BKFixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bkfix",
        abstract: "Diagnose and fix BlueKing CE 7 helm/helmfile deployment failures, with a git-backed audit trail.",
        subcommands: []
    )
}
