import Foundation
import Testing

/// Where the state repo is, that read-only commands never make one, and that every record and commit names the bkfix
/// build that made it.
@Suite struct StateLocationCLITests {
    @Test func readOnlyCommandsOnAFreshMachineCreateNothing() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        let history = try await s.bkfix(["history"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout == "no history yet: there is no state repo at \(s.state) (the first apply creates it)\n")
        #expect(try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)["runs"] as? [Any] != nil)
        let status = try await s.bkfix(["status"])
        #expect(status.status == 0)
        #expect(status.stdout.hasPrefix("no history yet"))
        let show = try await s.bkfix(["show", "20261126-101500-abcd"])
        #expect(show.status == 2)
        #expect(show.stderr.contains("no run '20261126-101500-abcd'"))
        #expect(try await s.bkfix(["plan", "hub-hosts"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: s.state), "a read-only command created \(s.state)")
    }

    @Test func bkfixStateMovesTheRepoAndBkfixHomeNoLongerDoes() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        let elsewhere = s.dir.appendingPathComponent("elsewhere").path
        var env = s.environment
        env["BKFIX_STATE"] = elsewhere
        env["BKFIX_HOME"] = s.dir.appendingPathComponent("home").path
        let r = try await ProcessHarness.run(
            CLISandbox.binary, ["apply", "hub-hosts", "--yes", "--root", s.root], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/.git"))
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("home").path))
    }

    @Test func everyRecordAndStateCommitCarriesTheBkfixVersion() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        let version = try await s.bkfix(["--version"])
        let stamp = try #require(Self.stamp(fromVersionOutput: version.stdout))
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        // The baseline commit and the run's commit: git itself reads the trailer of each.
        let log = try await s.git(["log", "--format=%s|%(trailers:key=Bkfix-Version,valueonly,separator=%x2C)"])
        let commits = log.stdout.split(separator: "\n").map(String.init)
        #expect(commits.count == 2, "\(log.stdout)")
        #expect(commits.contains { $0.hasPrefix("baseline: first record of control:/etc/hosts|") })
        for commit in commits { #expect(commit.hasSuffix("|" + stamp), "\(commit)") }
        let runID = try #require(
            (try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)["runs"] as? [[String: Any]])?
                .first?["id"] as? String)
        let shown = try await s.bkfix(["show", runID])
        #expect(shown.stdout.contains("\nbkfix:     \(stamp)\n"), "\(shown.stdout)")
        let json = try CLISandbox.json(try await s.bkfix(["show", runID, "--json"]).stdout)
        #expect(json["bkfixVersion"] as? String == stamp)
    }

    /// `0.2.0 (5335e4bb52e5-dirty)` from `bkfix --version`'s first two lines.
    static func stamp(fromVersionOutput text: String) -> String? {
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 3, lines[0].hasPrefix("bkfix "), lines[1].hasPrefix("commit: ") else { return nil }
        let version = String(lines[0].dropFirst("bkfix ".count))
        let commit = lines[1].dropFirst("commit: ".count)
        if commit.hasPrefix("none") { return "\(version) (no git commit)" }
        let hash = String(commit.prefix(12))
        if commit.contains("-dirty") { return "\(version) (\(hash)-dirty)" }
        if commit.contains("could not tell") { return "\(version) (\(hash)-unknown-state)" }
        return "\(version) (\(hash))"
    }
}
