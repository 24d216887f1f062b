import Foundation
import Testing

/// Bad input ends in a clear message naming the problem, a non-zero exit, and nothing changed (issue #2).
@Suite struct BadInputCLITests {
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        return s
    }

    @Test func lintReportsAYAMLErrorWithFileAndLine() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let file = s.dir.appendingPathComponent("broken.yaml").path
        try "id: broken\ntitle: {zh: a, en: b}\nsteps:\n  - hosts-entry: {ip: 1.2.3.4, names: [a]\n  - command: x\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["playbook", "lint", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(file):5:"), "\(r.stderr)")
        #expect(r.stderr.contains("YAML error"))
    }

    @Test func lintReportsSchemaProblemsWithLines() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let file = s.dir.appendingPathComponent("odd.yaml").path
        try """
        id: odd
        title: {zh: 标题, en: title}
        params:
          ip: {type: ipv4, default: 999.1.1.1}
        steps:
          - hosts-entry: {ip: "{{ip}}", names: [a], colour: red}
          - teleport: {to: mars}
          - command: {argv: [echo, "{{nope}}"], risk: read-only}

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["playbook", "lint", file, "--json"])
        #expect(r.status == 2)
        let issues = try #require(try CLISandbox.json(r.stdout)["issues"] as? [[String: Any]])
        let byLine = Dictionary(grouping: issues, by: { $0["line"] as? Int ?? 0 })
        #expect((byLine[4]?.first?["message"] as? String)?.contains("not an IPv4 address") == true)
        #expect((byLine[6]?.first?["message"] as? String)?.contains("unknown argument 'colour'") == true)
        #expect((byLine[7]?.first?["message"] as? String)?.contains("unknown step kind 'teleport'") == true)
        #expect((byLine[8]?.first?["message"] as? String)?.contains("unknown parameter {{nope}}") == true)
    }

    @Test func builtInPlaybooksAreAllValid() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["playbooks", "--json"])
        #expect(r.status == 0)
        let doc = try CLISandbox.json(r.stdout)
        #expect((doc["invalid"] as? [Any])?.isEmpty == true, "\(doc["invalid"] ?? "")")
        let ids = (doc["playbooks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(ids.contains("hub-hosts"))
    }

    @Test func anUnknownPlaybookSuggestsCloseNames() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["plan", "hub-host"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown playbook 'hub-host'"))
        #expect(r.stderr.contains("did you mean hub-hosts"))
        let j = try await s.bkfix(["plan", "hub-host", "--json"])
        let err = try CLISandbox.json(j.stdout)["error"] as? [String: Any]
        #expect(err?["code"] as? String == "unknown-playbook")
    }

    @Test func aBadOrUnknownParameterIsAClearError() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let bad = try await s.bkfix(["apply", "hub-hosts", "-p", "ip=not-an-ip", "--yes"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("ip=not-an-ip: not an IPv4 address"))
        let range = try await s.bkfix(["plan", "hub-hosts", "-p", "ip=999.1.1.1"])
        #expect(range.status == 2)
        let unknown = try await s.bkfix(["plan", "hub-hosts", "-p", "colour=red"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no parameter 'colour'"))
        #expect(unknown.stderr.contains("ip"))
        let malformed = try await s.bkfix(["plan", "hub-hosts", "-p", "ip"])
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("expected key=value"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aHostsPathThatIsADirectoryIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try FileManager.default.createDirectory(atPath: s.root + "/etc/hosts.d", withIntermediateDirectories: true)
        let r = try await s.bkfix(["apply", "hub-hosts", "-p", "file=/etc/hosts.d", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/etc/hosts.d"))
        #expect(r.stderr.contains("directory"))
    }

    @Test func aMalformedHostsFileIsRefusedWithItsLine() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\nthis is not a hosts line\n")
        let r = try await s.bkfix(["plan", "hub-hosts"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/etc/hosts"))
        #expect(r.stderr.contains("line 2"))
    }

    @Test func anUnwritableStateDirIsAClearErrorAndChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let blocker = s.dir.appendingPathComponent("afile").path
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        var env = s.environment
        env["PATH"] = s.bin + ":/usr/bin:/bin"
        let r = try await ProcessHarness.run(
            CLISandbox.binary, ["apply", "hub-hosts", "--yes", "--root", s.root, "--state", blocker + "/state"],
            environment: env)
        #expect(r.status != 0)
        #expect(r.stderr.contains(blocker))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func anUnreadableSavedPlanIsAClearError() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let file = s.dir.appendingPathComponent("plan.json").path
        try "{not json".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["apply", "--plan", file, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains(file))
        let missing = try await s.bkfix(["apply", "--plan", file + ".nope", "--yes"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"))
    }

    @Test func anUnknownCaseIsBadInput() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["cases", "show", "no-such-case", "--json"])
        #expect(r.status == 2)
        let err = try CLISandbox.json(r.stdout)["error"] as? [String: Any]
        #expect(err?["code"] as? String == "unknown-case")
    }

    @Test func rollbackOfAnUnknownRunSaysSo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["rollback", "20990101-000000-dead", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no run '20990101-000000-dead'"))
        let last = try await s.bkfix(["rollback", "--last", "--yes"])
        #expect(last.status == 2)
    }
}
