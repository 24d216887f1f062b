import Foundation
import Testing

/// A subcommand is parsed alone for speed (`BKFixCommand.quickParse`); help, errors and completion must still be
/// ArgumentParser's own, naming `bkfix SUBCOMMAND`.
@Suite struct QuickParseCLITests {
    @Test func helpAndUsageErrorsStillNameTheWholeCommand() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let help = try await s.bkfix(["history", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: bkfix history"), "\(help.stdout)")
        let refused = try await s.bkfix(["history", "--limit", "0"])
        #expect(refused.status == 64)
        #expect(
            refused.stderr.contains("--limit must be at least 1") && refused.stderr.contains("Usage: bkfix history"))
        let unknown = try await s.bkfix(["gc", "--no-such-flag"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Usage: bkfix gc"), "\(unknown.stderr)")
        let quick = try await s.bkfix(["history", "--json"])
        #expect(quick.status == 0 && quick.stdout == "{\n  \"runs\" : [\n\n  ]\n}\n", "\(quick.stdout)")
    }
}
