import Foundation
import Testing

/// fix-path through the real binary on a temp root (issue #4): `/usr/local/bin/helmfile` exists but login shells
/// lose `/usr/local/bin`. No command runs at all: the audit reads the login files, the fix is one managed file.
@Suite struct FixPathCLITests {
    static let managed = "/etc/profile.d/bkfix-path.sh"
    static let home = "/home/op"
    /// bkfix's own PATH in these tests: no /usr/local/bin (the stand-ins are all that is needed).
    static func env(_ s: CLISandbox) -> [String: String] { ["PATH": s.bin + ":/usr/bin:/bin", "HOME": home] }

    /// A root whose /etc/profile is `profile` and whose op user has the given `.bashrc`.
    func sandbox(profile: String = "host/path/profile-broken", bashrc: String? = nil, bashrcMode: Int = 0o644) throws
        -> CLISandbox
    {
        let s = try CLISandbox()
        try s.refuseAllTools()
        try s.write("/usr/local/bin/helmfile", "#!/bin/sh\necho helmfile\n", mode: 0o755)
        try s.write("/etc/profile", try Fixtures.text(profile))
        try s.write("/etc/environment", try Fixtures.text("host/path/environment"))
        try s.write("/etc/profile.d/kubectl.sh", try Fixtures.text("host/path/profile.d-kubectl.sh"))
        try s.write(Self.home + "/.bash_profile", try Fixtures.text("host/path/bash_profile"))
        try s.write(
            Self.home + "/.bashrc", try bashrc.map(Fixtures.text) ?? "# .bashrc\nalias ll='ls -l'\n", mode: bashrcMode)
        return s
    }

    func run(_ s: CLISandbox, _ args: [String]) async throws -> ProcessOutput {
        try await s.bkfix(args, env: Self.env(s))
    }

    @Test func planPointsAtTheBrokenLineAndChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let r = try await run(s, ["plan", "fix-path"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("/usr/local/bin/helmfile exists"))
        #expect(r.stdout.contains("the current PATH lacks /usr/local/bin"))
        #expect(
            r.stdout.contains(
                "/etc/profile:11 drops /usr/local/bin from PATH: export PATH=/usr/local/sbin:/usr/bin:/bin"))
        #expect(r.stdout.contains("--- /dev/null"))
        #expect(r.stdout.contains("+++ b\(Self.managed)"))
        #expect(r.stdout.contains("1 file, 0 commands on 1 host"))
        #expect(s.calls.isEmpty)
        #expect(s.rootUnchanged(since: before))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
    }

    @Test func applyAddsTheManagedFileVerifiesAndAgainChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await run(s, ["apply", "fix-path", "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let runID = try #require(try CLISandbox.json(r.stdout)["run"] as? String)
        let managed = try #require(s.readText(Self.managed))
        #expect(managed.contains(#"export PATH="$PATH:/usr/local/bin""#))
        #expect(s.mode(Self.managed) == 0o644)
        #expect(s.readText("/etc/profile") == (try Fixtures.text("host/path/profile-broken")))
        let shown = try CLISandbox.json(try await run(s, ["show", runID, "--json"]).stdout)
        let verify = try #require((shown["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "path-contains")
        #expect(verify["ok"] as? Bool == true)
        #expect((shown["files"] as? [[String: Any]])?.first?["op"] as? String == "create")
        let again = try CLISandbox.json(try await run(s, ["apply", "fix-path", "--yes", "--json"]).stdout)
        #expect(again["status"] as? String == "no-changes")
        #expect(try await s.bkfix(["history", "--json"], env: Self.env(s)).stdout.contains(runID))
        #expect(try await historyCount(s) == 1)
        #expect(s.calls.isEmpty)
    }

    @Test func rollbackRemovesTheManagedFile() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        #expect(try await run(s, ["apply", "fix-path", "--yes"]).status == 0)
        let rb = try await run(s, ["rollback", "--last", "--yes"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(s.read(Self.managed) == nil)
        #expect(s.rootUnchanged(since: before))
        let runs = try CLISandbox.json(try await run(s, ["history", "--json"]).stdout)["runs"] as? [[String: Any]]
        #expect(runs?.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs?.last?["case"] as? String == "helmfile-not-found")
    }

    @Test func aProfileDFileThatAlreadyFixesItIsANoOp() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/profile.d/zz-local.sh", try Fixtures.text("host/path/profile.d-fixed.sh"))
        let before = s.rootSnapshot()
        let plan = try await run(s, ["plan", "fix-path"])
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("login shells already get /usr/local/bin in PATH"))
        #expect(plan.stdout.contains("no changes: already applied"))
        let apply = try CLISandbox.json(try await run(s, ["apply", "fix-path", "--yes", "--json"]).stdout)
        #expect(apply["status"] as? String == "no-changes")
        #expect(s.rootUnchanged(since: before))
        #expect(try await historyCount(s) == 0)
    }

    @Test func anRCFileThatResetsPATHIsPointedAtAndLeftAloneWithoutFixRC() async throws {
        let s = try sandbox(profile: "host/path/profile", bashrc: "host/path/bashrc-reset")
        defer { s.cleanup() }
        let plan = try await run(s, ["plan", "fix-path"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            plan.stdout.contains(
                "\(Self.home)/.bashrc:15 drops /usr/local/bin from PATH: export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin"
            ))
        #expect(plan.stdout.contains("pass -p fix_rc=true"))
        #expect(!plan.stdout.contains("a\(Self.home)/.bashrc"))
        // Applying only the managed file cannot help: the run says so through its verify result.
        let r = try await run(s, ["apply", "fix-path", "--yes", "--json"])
        #expect(r.status == 5)
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["status"] as? String == "verify-failed")
        let detail = (doc["verify"] as? [[String: Any]])?.first?["detail"] as? String
        #expect(detail?.contains("\(Self.home)/.bashrc:15") == true, "\(detail ?? "")")
        #expect(s.readText(Self.home + "/.bashrc") == (try Fixtures.text("host/path/bashrc-reset")))
    }

    @Test func fixRCRewritesTheLineAndRollbackRestoresItsBytesAndMode() async throws {
        let original = try Fixtures.text("host/path/bashrc-reset")
        let s = try sandbox(profile: "host/path/profile", bashrc: "host/path/bashrc-reset", bashrcMode: 0o600)
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let plan = try await run(s, ["plan", "fix-path", "-p", "fix_rc=true"])
        #expect(plan.stdout.contains("+export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin:/usr/local/bin"))
        #expect(plan.stdout.contains("2 files, 0 commands on 1 host"))
        let r = try await run(s, ["apply", "fix-path", "-p", "fix_rc=true", "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let rewritten = original.replacingOccurrences(
            of: "export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin",
            with: "export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin:/usr/local/bin")
        #expect(s.readText(Self.home + "/.bashrc") == rewritten)
        #expect(s.mode(Self.home + "/.bashrc") == 0o600)
        #expect((try CLISandbox.json(r.stdout)["verify"] as? [[String: Any]])?.first?["ok"] as? Bool == true)
        let again = try CLISandbox.json(
            try await run(s, ["apply", "fix-path", "-p", "fix_rc=true", "--yes", "--json"]).stdout)
        #expect(again["status"] as? String == "no-changes")
        #expect(try await run(s, ["rollback", "--last", "--yes"]).status == 0)
        #expect(s.read(Self.home + "/.bashrc") == Data(original.utf8))
        #expect(s.mode(Self.home + "/.bashrc") == 0o600)
        #expect(s.rootUnchanged(since: before))
    }

    func historyCount(_ s: CLISandbox) async throws -> Int {
        let h = try await run(s, ["history", "--json"])
        return (try CLISandbox.json(h.stdout)["runs"] as? [Any])?.count ?? -1
    }
}
