import Foundation
import Testing

@testable import BKFix

/// The hub-hosts loop through the real binary: plan, apply, history, show, rollback (issue #2).
@Suite struct HubHostsCLITests {
    static let hosts = "127.0.0.1 localhost\n# cluster\n10.0.0.11 node-1\n"

    func sandbox(hosts: String = hosts, mode: Int = 0o644) throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", hosts, mode: mode)
        for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try s.standIn(tool) }
        return s
    }

    @Test func planShowsTheLineAndChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.read("/etc/hosts")
        let r = try await s.bkfix(["plan", "hub-hosts"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\n+49.234.165.79 hub.bktencent.com\n"))
        #expect(r.stdout.contains("--- a/etc/hosts"))
        #expect(r.stdout.contains("1 file, 0 commands on 1 host"))
        #expect(s.read("/etc/hosts") == before)
        #expect(s.calls.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
    }

    @Test func planSpeaksChineseWithLangZhOrAChineseLANG() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let flag = try await s.bkfix(["plan", "hub-hosts", "--lang", "zh"])
        #expect(flag.stdout.contains("计划：hub-hosts（为 hub.bktencent.com 配置上海节点解析）"))
        #expect(flag.stdout.contains("1 个文件，0 条命令，涉及 1 台主机"))
        let env = try await s.bkfix(["apply", "hub-hosts"], env: ["LANG": "zh_CN.UTF-8"])
        #expect(env.status == 3)
        #expect(env.stderr.contains("加 --yes 表示确认"))
    }

    @Test func planJSONFollowsTheContract() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["plan", "hub-hosts", "--json"])
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["playbook"] as? String == "hub-hosts")
        #expect(doc["noChanges"] as? Bool == false)
        #expect((doc["params"] as? [String: Any])?["ip"] as? String == "49.234.165.79")
        let change = try #require((doc["changes"] as? [[String: Any]])?.first)
        #expect(change["type"] as? String == "file")
        #expect(change["host"] as? String == "control")
        #expect(change["path"] as? String == "/etc/hosts")
        #expect(change["op"] as? String == "modify")
        #expect((change["diff"] as? String)?.contains("+49.234.165.79 hub.bktencent.com") == true)
    }

    @Test func applyWithoutYesOnAPipeRefuses() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.read("/etc/hosts")
        let r = try await s.bkfix(["apply", "hub-hosts"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("--yes"))
        #expect(s.read("/etc/hosts") == before)
        let h = try await s.bkfix(["history", "--json"])
        #expect((try CLISandbox.json(h.stdout)["runs"] as? [Any])?.isEmpty == true)
    }

    @Test func applyWithYesKeepsModeAndRecordsOneRunWithTrailers() async throws {
        let s = try sandbox(mode: 0o640)
        defer { s.cleanup() }
        let r = try await s.bkfix(["apply", "hub-hosts", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == Self.hosts + "49.234.165.79 hub.bktencent.com\n")
        #expect(s.mode("/etc/hosts") == 0o640)
        let log = try await s.git(["log", "-1", "--format=%B"])
        for trailer in [
            "Run-Id: ", "Kind: apply", "Playbook: hub-hosts", "Case: chart-download-failed", "Host: control",
            "Operator: ", "Status: applied",
        ] {
            #expect(log.stdout.contains(trailer), "missing trailer \(trailer) in \(log.stdout)")
        }
        let show = try await s.git(["show", "--stat", "HEAD"])
        #expect(show.stdout.contains("hosts/control/etc/hosts"))
        let patch = try await s.git(["log", "-p", "-1"])
        #expect(patch.stdout.contains("+49.234.165.79 hub.bktencent.com"))
        let status = try await s.git(["status", "--porcelain"])
        #expect(status.stdout.isEmpty)
        let h = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        #expect((h["runs"] as? [Any])?.count == 1)
        let attrs = try FileManager.default.attributesOfItem(atPath: s.state)
        #expect(attrs[.posixPermissions] as? Int == 0o700)
    }

    @Test func applyAgainSaysNoChangesAndRecordsNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let again = try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"])
        #expect(again.status == 0)
        let doc = try CLISandbox.json(again.stdout)
        #expect(doc["status"] as? String == "no-changes")
        #expect(doc["run"] is NSNull)
        let text = try await s.bkfix(["plan", "hub-hosts"])
        #expect(text.stdout.contains("no changes: already applied"))
        let h = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        #expect((h["runs"] as? [Any])?.count == 1)
    }

    @Test func aWrongMappingIsReplacedAndSaidSoWithoutDuplicates() async throws {
        let s = try sandbox(hosts: "127.0.0.1 localhost\n1.2.3.4 hub.bktencent.com\n")
        defer { s.cleanup() }
        let plan = try await s.bkfix(["plan", "hub-hosts"])
        #expect(plan.stdout.contains("1.2.3.4"))
        #expect(plan.stdout.lowercased().contains("commented out"))
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let text = try #require(s.readText("/etc/hosts"))
        let active = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("hub.bktencent.com") }
        #expect(active == ["49.234.165.79 hub.bktencent.com"])
        #expect(text.contains("# 1.2.3.4 hub.bktencent.com"))
    }

    @Test func crlfTabsCommentsAndMissingFinalNewlineSurvive() async throws {
        let original =
            "127.0.0.1\tlocalhost\r\n# 注释 comment\r\n\r\n10.0.0.5\tnode-a   node-a.local # inline\r\n::1 ip6-localhost"
        let s = try sandbox(hosts: original)
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        #expect(s.readText("/etc/hosts") == original + "\r\n49.234.165.79 hub.bktencent.com")
    }

    @Test func rollbackRestoresBytesAndModeAndRefusesASecondTime() async throws {
        let original = "127.0.0.1 localhost\n1.2.3.4 hub.bktencent.com\n# end"
        let s = try sandbox(hosts: original, mode: 0o600)
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let rb = try await s.bkfix(["rollback", runID, "--yes", "--json"])
        #expect(rb.status == 0, "\(rb.stderr)")
        let doc = try CLISandbox.json(rb.stdout)
        #expect(doc["status"] as? String == "applied")
        #expect(doc["rollbackOf"] as? String == runID)
        #expect(s.readText("/etc/hosts") == original)
        #expect(s.mode("/etc/hosts") == 0o600)
        let log = try await s.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Kind: rollback"))
        #expect(log.stdout.contains("Rollback-Of: \(runID)"))
        let again = try await s.bkfix(["rollback", runID, "--yes"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("already rolled back"))
        let history = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        let runs = try #require(history["runs"] as? [[String: Any]])
        #expect(runs.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs[0]["rollbackOf"] as? String == runID)
    }

    @Test func rollbackOfACreatedFileRemovesIt() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try FileManager.default.removeItem(atPath: s.root + "/etc/hosts")
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        #expect(s.readText("/etc/hosts") == "49.234.165.79 hub.bktencent.com\n")
        #expect(try await s.bkfix(["rollback", "--last", "--yes"]).status == 0)
        #expect(s.read("/etc/hosts") == nil)
    }

    @Test func rollbackAfterDriftRefusesUnlessForced() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let drifted = try #require(s.readText("/etc/hosts")) + "10.9.9.9 extra\n"
        try s.write("/etc/hosts", drifted)
        let status = try await s.bkfix(["status"])
        #expect(status.stdout.contains("drift: /etc/hosts on control"))
        let refused = try await s.bkfix(["rollback", "--last", "--yes"])
        #expect(refused.status == 3)
        #expect(refused.stdout.contains("--- before the run ---"))
        #expect(refused.stdout.contains("--- now ---"))
        #expect(refused.stderr.contains("--force"))
        #expect(s.readText("/etc/hosts") == drifted)
        let forced = try await s.bkfix(["rollback", "--last", "--yes", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(s.readText("/etc/hosts") == Self.hosts)
        let log = try await s.git(["log", "--format=%s"])
        #expect(log.stdout.contains("drift: control:/etc/hosts changed outside bkfix"))
    }

    @Test func aStalePlanIsRefusedAndNamesTheFile() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let planFile = s.dir.appendingPathComponent("plan.json").path
        #expect(try await s.bkfix(["plan", "hub-hosts", "--out", planFile]).status == 0)
        try s.write("/etc/hosts", Self.hosts + "10.1.1.1 other\n")
        let r = try await s.bkfix(["apply", "--plan", planFile, "--yes"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("stale plan"))
        #expect(r.stderr.contains("/etc/hosts"))
        #expect(s.readText("/etc/hosts") == Self.hosts + "10.1.1.1 other\n")
    }

    @Test func aFreshSavedPlanAppliesExactly() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let planFile = s.dir.appendingPathComponent("plan.json").path
        #expect(try await s.bkfix(["plan", "hub-hosts", "-p", "ip=10.20.30.40", "--out", planFile]).status == 0)
        let r = try await s.bkfix(["apply", "--plan", planFile, "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == Self.hosts + "10.20.30.40 hub.bktencent.com\n")
    }

    @Test func twoConcurrentAppliesNeverBothApply() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        async let a = s.bkfix(["apply", "hub-hosts", "--yes", "--json"])
        async let b = s.bkfix(["apply", "hub-hosts", "--yes", "--json"])
        let results = try await [a, b]
        let statuses = results.map { (try? CLISandbox.json($0.stdout)) }
        let applied = statuses.filter { ($0?["status"] as? String) == "applied" }.count
        #expect(applied == 1, "\(results.map(\.stdout)) \(results.map(\.stderr))")
        for r in results where r.status != 0 {
            let err = try CLISandbox.json(r.stdout)["error"] as? [String: Any]
            #expect(["locked", "stale-plan"].contains(err?["code"] as? String))
        }
        #expect(s.readText("/etc/hosts") == Self.hosts + "49.234.165.79 hub.bktencent.com\n")
        let h = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        #expect((h["runs"] as? [Any])?.count == 1)
    }

    @Test func aRollbackKilledAfterItsWriteIsRecoveredAsFinishedAndSaysSo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let fault = ["BKFIX_FAULT": "file-write.after@control#1"]
        let killed = try await s.bkfix(["rollback", runID, "--yes"], env: fault)
        #expect(killed.status == 9, "killed by SIGKILL: \(killed.stdout) \(killed.stderr)")
        #expect(s.readText("/etc/hosts") == Self.hosts)
        let recover = try await s.bkfix(["recover", "--undo", "--yes"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stdout.contains("it had already put back everything run \(runID) changed"), "\(recover.stdout)")
        #expect(s.readText("/etc/hosts") == Self.hosts)
    }

    @Test func aLockHeldByALiveProcessFailsAtOnceAndAStaleOneIsCleared() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        _ = try RunStore.open(path: s.state)  // creates the state repo (status, a read-only command, never does)
        let lockDir = s.state + "/.git/bkfix"
        // Held by a live process (this test, through the library): the second bkfix fails at once, naming it.
        let lock = try StateLock.acquire(in: lockDir, command: "bkfix apply raise-quota")
        let held = try await s.bkfix(["apply", "hub-hosts", "--yes"])
        lock.release()
        #expect(held.status == 4, "\(held.stderr)")
        #expect(held.stderr.contains("pid \(getpid())"))
        #expect(held.stderr.contains("bkfix apply raise-quota"))
        #expect(s.readText("/etc/hosts") == Self.hosts)
        // Left behind by a dead process: cleared with a message.
        let dead =
            #"{"pid":999999,"user":"alice","host":"\#(ProcessInfo.processInfo.hostName)","command":"bkfix apply raise-quota","started":"2026-11-26T10:00:00Z"}"#
        try Data(dead.utf8).write(to: URL(fileURLWithPath: lockDir + "/lock"))
        let cleared = try await s.bkfix(["apply", "hub-hosts", "--yes"])
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(cleared.stderr.contains("stale lock"))
    }

    @Test func historyAndShowJSONFollowTheContract() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let h = try CLISandbox.json(try await s.bkfix(["history", "--json", "--playbook", "hub-hosts"]).stdout)
        let run = try #require((h["runs"] as? [[String: Any]])?.first)
        #expect(run["id"] as? String == runID)
        #expect(run["kind"] as? String == "apply")
        #expect(run["playbook"] as? String == "hub-hosts")
        #expect(run["case"] as? String == "chart-download-failed")
        #expect(run["status"] as? String == "applied")
        #expect(run["hosts"] as? [String] == ["control"])
        #expect(run["files"] as? [String] == ["control:/etc/hosts"])
        #expect(run["rollbackOf"] is NSNull)
        #expect(ISO8601DateFormatter().date(from: run["started"] as? String ?? "") != nil)
        #expect(run["operator"] is String)
        let none = try CLISandbox.json(try await s.bkfix(["history", "--json", "--playbook", "docker-mirror"]).stdout)
        #expect((none["runs"] as? [Any])?.isEmpty == true)
        let shown = try CLISandbox.json(try await s.bkfix(["show", runID, "--json"]).stdout)
        #expect(shown["id"] as? String == runID)
        #expect((shown["params"] as? [String: Any])?["ip"] as? String == "49.234.165.79")
        let files = try #require(shown["files"] as? [[String: Any]])
        #expect((files.first?["diff"] as? String)?.contains("+49.234.165.79 hub.bktencent.com") == true)
        #expect((shown["verify"] as? [[String: Any]])?.first?["ok"] as? Bool == true)
        let text = try await s.bkfix(["show", runID])
        #expect(text.stdout.contains("+49.234.165.79 hub.bktencent.com"))
        #expect(text.stdout.contains("operator:"))
    }
}
