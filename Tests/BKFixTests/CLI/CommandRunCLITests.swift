import Foundation
import Testing

/// Command steps, failure, verify and interrupted runs, through the real binary with a test playbook folder.
@Suite struct CommandRunCLITests {
    /// A sandbox with a playbook that edits /etc/hosts, then runs the `docker` stand-in. With `signal`, `docker
    /// reload` sends it to bkfix (its parent) while it runs, as a kill or a Ctrl-C would, with no timing in the test.
    func sandbox(dockerAnswer: (String, Int32)? = ("reloaded\n", 0), signal: String? = nil) throws -> (
        CLISandbox, String
    ) {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        var answers: [String: (stdout: String, status: Int32)] = [:]
        if let dockerAnswer { answers["reload"] = (dockerAnswer.0, dockerAnswer.1) }
        answers["restore"] = ("restored\n", 0)
        try s.standIn("docker", answers: answers)
        if let signal {
            try ExecutableScript.write(
                """
                #!/bin/sh
                echo "docker $*" >> '\(s.callsLog)'
                [ "$1" = reload ] || { echo restored; exit 0; }
                echo started
                kill -\(signal) $PPID
                \(signal == "KILL" ? "exit 0" : "sleep 30")

                """, to: s.bin + "/docker")
        }
        let dir = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        id: pin-and-reload
        cases: [chart-download-failed]
        title: {zh: 测试, en: test playbook}
        steps:
          - hosts-entry: {ip: 10.1.2.3, names: [example.test]}
          - command: {argv: [docker, reload], risk: reversible, undo: [[docker, restore]]}
        verify:
          - resolve: {name: example.test, expect: 10.1.2.3}

        """.write(toFile: dir + "/pin-and-reload.yaml", atomically: true, encoding: .utf8)
        return (s, dir)
    }

    @Test func aCommandsOutputAndExitCodeLandInTheRecordAndItsUndoRunsOnRollback() async throws {
        let (s, dir) = try sandbox()
        defer { s.cleanup() }
        let plan = try await s.bkfix(["plan", "pin-and-reload", "--playbooks", dir])
        #expect(plan.stdout.contains("$ docker reload  [reversible]"))
        #expect(plan.stdout.contains("1 file, 1 command (1 reversible) on 1 host"))
        #expect(s.calls.isEmpty)
        let applied = try CLISandbox.json(
            try await s.bkfix(["apply", "pin-and-reload", "--playbooks", dir, "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        #expect(s.calls == ["docker reload"])
        let shown = try CLISandbox.json(try await s.bkfix(["show", runID, "--json"]).stdout)
        let command = try #require((shown["commands"] as? [[String: Any]])?.first)
        let result = try #require(command["result"] as? [String: Any])
        #expect(result["stdout"] as? String == "reloaded\n")
        #expect(result["exitCode"] as? Int == 0)
        #expect(try await s.bkfix(["rollback", runID, "--yes"]).status == 0)
        #expect(s.calls == ["docker reload", "docker restore"])
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aFailingCommandStopsTheRunRecordsFailedAndCanBeRolledBack() async throws {
        let (s, dir) = try sandbox(dockerAnswer: ("boom\n", 3))
        defer { s.cleanup() }
        let r = try await s.bkfix(["apply", "pin-and-reload", "--playbooks", dir, "--yes", "--json"])
        #expect(r.status == 1)
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["status"] as? String == "failed")
        #expect((doc["error"] as? String)?.contains("exit status 3") == true)
        let runID = try #require(doc["run"] as? String)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n10.1.2.3 example.test\n")
        let log = try await s.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Status: failed"))
        let rb = try await s.bkfix(["rollback", runID, "--yes"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(!s.calls.contains("docker restore"))
    }

    @Test func aRunKilledMidwayIsReportedRecoveredAndRolledBack() async throws {
        let (s, dir) = try sandbox(signal: "KILL")
        defer { s.cleanup() }
        // `docker reload` kills its bkfix with -9 while it runs.
        let process = try s.start(["apply", "pin-and-reload", "--playbooks", dir, "--yes"])
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(s.calls.contains("docker reload"))
        let status = try await s.bkfix(["status"])
        #expect(status.stdout.contains("interrupted run"), "\(status.stdout)")
        let blocked = try await s.bkfix(["apply", "hub-hosts", "--yes"])
        #expect(blocked.status == 3)
        #expect(blocked.stderr.contains("bkfix recover"))
        let recovered = try await s.bkfix(["recover", "--json"])
        #expect(recovered.status == 0, "\(recovered.stderr)")
        let runs = try #require(try CLISandbox.json(recovered.stdout)["recovered"] as? [[String: Any]])
        let runID = try #require(runs.first?["run"] as? String)
        #expect(runs.first?["status"] as? String == "interrupted")
        let log = try await s.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Status: interrupted"))
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
        let rb = try await s.bkfix(["rollback", runID, "--yes"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        // The reload was running when bkfix died (outcome unknown): it counts as having run, so its undo runs.
        #expect(s.calls.last == "docker restore")
    }

    @Test func ctrlCStopsTheCommandAndRecordsTheRunAsInterrupted() async throws {
        let (s, dir) = try sandbox(signal: "INT")
        defer { s.cleanup() }
        // `docker reload` sends SIGINT to its bkfix while it runs, as Ctrl-C would.
        let process = try s.start(["apply", "pin-and-reload", "--playbooks", dir, "--yes"])
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(process.terminationStatus == 130)
        let log = try await s.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Status: interrupted"))
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
        // The file step had been done; rollback puts it back.
        #expect(try await s.bkfix(["rollback", "--last", "--yes"]).status == 0)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aFailedVerifyIsRecordedAndExitsFive() async throws {
        let (s, dir) = try sandbox()
        defer { s.cleanup() }
        try """
        id: bad-verify
        title: {zh: 测试, en: test}
        steps:
          - hosts-entry: {ip: 10.1.2.3, names: [example.test]}
        verify:
          - resolve: {name: example.test, expect: 10.9.9.9}

        """.write(toFile: dir + "/bad-verify.yaml", atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["apply", "bad-verify", "--playbooks", dir, "--yes", "--json"])
        #expect(r.status == 5)
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["status"] as? String == "verify-failed")
        #expect((doc["verify"] as? [[String: Any]])?.first?["ok"] as? Bool == false)
    }
}
