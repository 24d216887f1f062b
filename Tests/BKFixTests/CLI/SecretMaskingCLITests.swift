import Foundation
import Testing

/// One masker behind every display: plan, show, history and their --json hide a password set by values-set (its
/// param, its note `old → new`, its diff) and say how many values they hid, while the state repo keeps the bytes.
@Suite struct SecretMaskingCLITests {
    static let values = "mysql:\n  rootPassword: OldSecret9\n  host: bk-mysql\n"

    func sandbox() throws -> (CLISandbox, String) {
        let s = try CLISandbox()
        try s.write("/etc/bk/values.yaml", Self.values, mode: 0o600)
        let dir = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        id: set-password
        title: {zh: 设置密码, en: set the mysql password}
        params:
          password: {type: string, required: true, description: {zh: 新密码, en: the new password}}
        steps:
          - values-set: {file: /etc/bk/values.yaml, path: mysql.rootPassword, value: "{{password}}"}

        """.write(toFile: dir + "/set-password.yaml", atomically: true, encoding: .utf8)
        return (s, dir)
    }

    @Test func planShowAndHistoryMaskThePasswordEverywhereAndCountIt() async throws {
        let (s, dir) = try sandbox()
        defer { s.cleanup() }
        let args = ["set-password", "--playbooks", dir, "-p", "password=NewSecret7"]
        let plan = try await s.bkfix(["plan"] + args)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(!plan.stdout.contains("OldSecret9") && !plan.stdout.contains("NewSecret7"), "\(plan.stdout)")
        #expect(plan.stdout.contains("params: password=******"), "\(plan.stdout)")
        #expect(plan.stdout.contains("note: mysql.rootPassword: ****** → ******"), "\(plan.stdout)")
        #expect(plan.stdout.contains("-  rootPassword: ******\n+  rootPassword: ******\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("masked 5 secret-looking values"), "\(plan.stdout)")

        // A saved plan keeps the real bytes (apply needs them), so only its owner may read it.
        let saved = s.dir.appendingPathComponent("plan.json").path
        #expect(try await s.bkfix(["plan"] + args + ["--out", saved]).status == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: saved))[.posixPermissions] as? Int == 0o600)

        let planJSON = try await s.bkfix(["plan"] + args + ["--json"])
        #expect(!planJSON.stdout.contains("OldSecret9") && !planJSON.stdout.contains("NewSecret7"))
        #expect(try CLISandbox.json(planJSON.stdout)["masked"] as? Int == 5)

        let apply = try await s.bkfix(["apply"] + args + ["--yes", "--json"])
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(!apply.stdout.contains("NewSecret7"))
        let runID = try #require(try CLISandbox.json(apply.stdout)["run"] as? String)
        #expect(
            s.readText("/etc/bk/values.yaml") == Self.values.replacingOccurrences(of: "OldSecret9", with: "NewSecret7"))

        let show = try await s.bkfix(["show", runID])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(!show.stdout.contains("OldSecret9") && !show.stdout.contains("NewSecret7"), "\(show.stdout)")
        #expect(show.stdout.contains("params:    password=******"), "\(show.stdout)")
        #expect(show.stdout.contains("masked "), "\(show.stdout)")
        let showJSON = try await s.bkfix(["show", runID, "--json"])
        #expect(!showJSON.stdout.contains("OldSecret9") && !showJSON.stdout.contains("NewSecret7"))
        #expect((try CLISandbox.json(showJSON.stdout)["masked"] as? Int ?? 0) >= 5)
        let history = try await s.bkfix(["history", "--json"])
        #expect(!history.stdout.contains("NewSecret7"))
        #expect(try CLISandbox.json(history.stdout)["masked"] as? Int == 0)

        // The state repo keeps the real bytes: rollback needs them.
        let kept = try await s.git(["show", "HEAD:hosts/control/etc/bk/values.yaml"])
        #expect(kept.stdout.contains("rootPassword: NewSecret7"))
        let rollback = try await s.bkfix(["rollback", runID, "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(!rollback.stdout.contains("OldSecret9") && !rollback.stdout.contains("NewSecret7"))
        #expect(s.readText("/etc/bk/values.yaml") == Self.values)
    }
}
