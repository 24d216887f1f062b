import Foundation
import Testing

/// Confirmation on a real terminal (a pty from util-linux `script`): the literal word `yes`, and the release name
/// first for an irreversible step (SPEC §8).
@Suite struct ConfirmationCLITests {
    /// Runs bkfix under a pseudo-terminal, typing `input`.
    func bkfixOnTTY(_ s: CLISandbox, _ args: [String], input: String) async throws -> ProcessOutput {
        let command = ([CLISandbox.binary] + args + ["--root", s.root, "--state", s.state, "--no-color"])
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try await ProcessHarness.run(
            "/usr/bin/script", ["-qec", command, "/dev/null"], environment: s.environment, stdin: Data(input.utf8))
    }

    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n", mode: 0o644)
        return s
    }

    @Test func typingYesOnTheTerminalApplies() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await bkfixOnTTY(s, ["apply", "hub-hosts"], input: "yes\n")
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("Type 'yes' to apply"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n49.234.165.79 hub.bktencent.com\n")
    }

    @Test func anyOtherAnswerChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await bkfixOnTTY(s, ["apply", "hub-hosts"], input: "y\n")
        #expect(r.status == 3)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        let h = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        #expect((h["runs"] as? [Any])?.isEmpty == true)
    }

    @Test func anIrreversibleStepAsksForItsNameBeforeYes() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.standIn("helmfile", answers: ["destroy": ("gone\n", 0)])
        let dir = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        id: wipe
        title: {zh: 测试, en: test}
        steps:
          - command: {argv: [helmfile, destroy], risk: irreversible, confirm: bk-elastic}

        """.write(toFile: dir + "/wipe.yaml", atomically: true, encoding: .utf8)
        let wrong = try await bkfixOnTTY(s, ["apply", "wipe", "--playbooks", dir], input: "yes\nyes\n")
        #expect(wrong.status == 3)
        #expect(wrong.stdout.contains("type 'bk-elastic' to confirm"))
        #expect(s.calls.isEmpty)
        let right = try await bkfixOnTTY(s, ["apply", "wipe", "--playbooks", dir], input: "bk-elastic\nyes\n")
        #expect(right.status == 0, "\(right.stdout)")
        #expect(s.calls == ["helmfile destroy"])
        // Rolling it back lists the destroy as not undoable.
        let rb = try await s.bkfix(["rollback", "--last", "--yes"])
        #expect(rb.status == 3)
        #expect(rb.stderr.contains("cannot be undone (helmfile destroy)"), "\(rb.stderr)")
    }
}
