import Foundation
import Testing

@testable import BKFix

/// diagnose, cases, collect and fix through the real binary with stand-in kubectl/helm (issue 5).
@Suite struct DiagnoseCLITests {
    static let log = """
        [2026-11-26 10:00:00] [INFO] installing bk-repo
        STDERR:
          \u{1B}[31mError: failed to download "bk-repo" at version "1.2.3"\u{1B}[0m\r
        """

    /// Answers of a stand-in kubectl serving a recorded cluster scenario.
    static func clusterAnswers(_ scenario: String) throws -> [String: (stdout: String, status: Int32)] {
        let dir = "diag/live/\(scenario)/"
        let empty = #"{"apiVersion": "v1", "items": [], "kind": "List"}"#
        func file(_ name: String) -> String { (try? Fixtures.text(dir + name)) ?? empty }
        return [
            "get pods -A -o json": (try Fixtures.text(dir + "pods.json"), 0),
            "get events -n blueking -o json": (file("events-blueking.json"), 0),
            "get pvc -A -o json": (file("pvc.json"), 0),
            "get sc -o json": (file("sc.json"), 0),
        ]
    }

    @Test func diagnoseAFileShowsCaseEvidenceLineAndSuggestedCommand() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let logFile = s.dir.appendingPathComponent("setup.log").path
        try Self.log.write(toFile: logFile, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["diagnose", logFile])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("[chart-download-failed]"))
        #expect(r.stdout.contains(#"line 3: Error: failed to download "bk-repo" at version "1.2.3""#))
        #expect(r.stdout.contains("bkfix plan hub-hosts"))
        #expect(!r.stdout.contains("\u{1B}["))
    }

    @Test func diagnoseJSONFromStdinFollowsTheContract() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let input = "Error from server: dial tcp 10.0.0.5:10250: connect: no route to host\n"
        let r = try await s.bkfix(["diagnose", "-", "--json"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let finding = try #require((try CLISandbox.json(r.stdout)["findings"] as? [[String: Any]])?.first)
        #expect(finding["case"] as? String == "kubelet-unreachable")
        #expect((finding["params"] as? [String: String])?["node"] == "10.0.0.5")
        #expect((finding["evidence"] as? [[String: Any]])?.first?["line"] as? Int == 1)
        #expect(finding["playbooks"] as? [String] == ["open-kubelet-port"])
        #expect((finding["explanation"] as? String)?.isEmpty == false)
        #expect(finding["confidence"] as? Double ?? 0 > 0.5)
    }

    @Test func unrecognisedInputSaysSoAndExitsZeroInBothLanguages() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let en = try await s.bkfix(["diagnose", "-"], stdin: Data("all good\n".utf8))
        #expect(en.status == 0 && en.stdout == "No known case matched.\n")
        let zh = try await s.bkfix(["diagnose", "-", "--lang", "zh"], stdin: Data())
        #expect(zh.status == 0 && zh.stdout == "没有匹配到已知案例。\n")
        let json = try await s.bkfix(["diagnose", "-", "--json"], stdin: Data())
        #expect((try CLISandbox.json(json.stdout)["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func missingFileIsAnErrorNamingIt() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["diagnose", "/nonexistent/setup.log"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/setup.log"))
    }

    @Test func liveDiagnosisUsesKubectlAndCombinesWithTheLog() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.standIn("kubectl", answers: try Self.clusterAnswers("start-timeout"))
        let logFile = s.dir.appendingPathComponent("timeout.log").path
        try """
        COMBINED OUTPUT:
          Release "bk-auth" does not exist. Installing it now.
          Error: timed out waiting for the condition
        """.write(toFile: logFile, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["diagnose", logFile, "--live", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let findings = try #require(try CLISandbox.json(r.stdout)["findings"] as? [[String: Any]])
        #expect(findings.first?["case"] as? String == "pod-start-timeout")
        #expect((findings.first?["params"] as? [String: String])?["release"] == "bk-auth")
        #expect(findings.contains { $0["case"] as? String == "release-timeout" })
        #expect(s.calls == ["kubectl get pods -A -o json"])
    }

    @Test func theWorkDirMapsAPodToItsReleaseAndNamespace() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        for (path, text) in try WorkDirFixture.files("bkce70") { try s.write(path, text) }
        let logFile = s.dir.appendingPathComponent("events.log").path
        try FileManager.default.copyItem(
            atPath: Fixtures.url("diag/derive/localpv-space-events.log").path, toPath: logFile)
        func params(_ extra: [String]) async throws -> [String: String] {
            let r = try await s.bkfix(["diagnose", logFile, "--json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let top = try #require((try CLISandbox.json(r.stdout)["findings"] as? [[String: Any]])?.first)
            #expect(top["case"] as? String == "pv-no-space")
            return top["params"] as? [String: String] ?? [:]
        }
        // Without a work dir only the StatefulSet's shape is known (`<name>-0`); with one, its release names decide.
        #expect(try await params([])["release"] == "bk-mysql-mysql")
        let known = try await params(["--install-dir", WorkDirFixture.installDir])
        #expect(known["release"] == "bk-mysql")
        #expect(known["namespace"] == "blueking")
        #expect(known["pod"] == "bk-mysql-mysql-0")
    }

    @Test func aCauseComesBeforeItsSymptomWithTheLinkInTextAndJSON() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let logFile = s.dir.appendingPathComponent("describe.log").path
        try FileManager.default.copyItem(
            atPath: Fixtures.url("diag/derive/enable-ipv6-describe.log").path, toPath: logFile)
        let json = try await s.bkfix(["diagnose", logFile, "--json"])
        let findings = try #require(try CLISandbox.json(json.stdout)["findings"] as? [[String: Any]])
        #expect(findings.map { $0["case"] as? String } == ["ipv6-disabled", "pod-crashloop"])
        #expect(findings[0]["explains"] as? [String] == ["pod-crashloop"])
        #expect(findings[0]["explainedBy"] as? [String] == [])
        #expect(findings[1]["explainedBy"] as? [String] == ["ipv6-disabled"])
        #expect((findings[1]["link"] as? String)?.contains("`ipv6-disabled`") == true)
        let params = findings[0]["params"] as? [String: String]
        #expect(params?["node"] == "10.0.1.12" && params?["release"] == "bk-repo" && params?["namespace"] == "blueking")
        let zh = try await s.bkfix(["diagnose", logFile, "--lang", "zh"])
        #expect(zh.stdout.contains("关联: 这是上面 `ipv6-disabled` 的表现"))
        #expect(zh.stdout.contains("bkfix plan enable-ipv6 -p node=10.0.1.12"))
        #expect(zh.stdout.contains("bkfix plan restart-pods -p namespace=blueking -p release=bk-repo"))
        // The cause's playbook works on the nodes: with no inventory and no cluster to list them from, fix stops
        // at the plan with a usage error and changes nothing.
        let fix = try await s.bkfix(["fix", logFile, "--yes"])
        #expect(fix.status == 2, "\(fix.stderr)")
        #expect(fix.stderr.contains("no inventory given"))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
    }

    @Test func casesListAndShowInBothForms() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let list = try await s.bkfix(["cases", "--json"])
        let cases = try #require(try CLISandbox.json(list.stdout)["cases"] as? [[String: Any]])
        #expect(cases.count >= 16)
        let show = try await s.bkfix(["cases", "show", "no-storage-class", "--lang", "zh"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("localpv-sync") && show.stdout.contains("StorageClass"))
        let bad = try await s.bkfix(["cases", "show", "no-storage"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("no-storage-class"))
    }

    @Test func collectWritesMaskedFilesAndAnArchiveThatOpens() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        var answers = try Self.clusterAnswers("start-timeout")
        answers["get pod -A -o wide"] = ("NAMESPACE NAME READY\nblueking bk-auth-web-5f7c9d-2lq8x 0/1\n", 0)
        answers["describe pod -A"] = ("Environment:\n  BK_MYSQL_PASSWORD:  Sup3rS3cret!\n", 0)
        answers["get events -A"] = ("No resources found\n", 0)
        answers["get pvc -A"] = ("No resources found\n", 0)
        answers["get nodes -o wide"] = ("NAME STATUS\nnode-11 Ready\n", 0)
        answers["version --client"] = ("Client Version: v1.20.11\n", 0)
        answers["logs -n blueking bk-auth-web-5f7c9d-2lq8x --tail 1000 -c main"] = ("waiting for db\n", 0)
        answers["logs -p -n blueking bk-auth-web-5f7c9d-2lq8x --tail 1000 -c main"] = ("token=abcdef123 crashed\n", 0)
        try s.standIn("kubectl", answers: answers)
        try s.standIn(
            "helm",
            answers: ["list -A": ("NAME NAMESPACE STATUS\nbk-auth blueking failed\n", 0), "version": ("v3.14.3\n", 0)])
        try s.standIn("helmfile", answers: ["--version": ("helmfile version v0.150.0\n", 0)])
        let out = s.dir.appendingPathComponent("bundle").path
        let r = try await s.bkfix(["collect", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == out + ".tar.gz\n")
        #expect(r.stderr.contains("[1/"))
        let describe = try String(contentsOfFile: out + "/describe-pods.txt", encoding: .utf8)
        #expect(describe.contains("BK_MYSQL_PASSWORD:  ******") && !describe.contains("Sup3rS3cret!"))
        let previous = try String(
            contentsOfFile: out + "/logs/blueking_bk-auth-web-5f7c9d-2lq8x_main.previous.log", encoding: .utf8)
        #expect(previous.contains("token=******"))
        let tar = try await ProcessHarness.run(
            "/usr/bin/tar", ["-tzf", out + ".tar.gz"], environment: [:], stdin: Data())
        #expect(tar.status == 0)
        #expect(tar.stdout.contains("bundle/helm-list.txt") && tar.stdout.contains("bundle/versions/helmfile.txt"))
    }

    @Test func fixGoesFromALogToAnAppliedAndRecordedHubHostsRun() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try s.standIn(tool) }
        let logFile = s.dir.appendingPathComponent("setup.log").path
        try Self.log.write(toFile: logFile, atomically: true, encoding: .utf8)
        let refused = try await s.bkfix(["fix", logFile])
        #expect(refused.status != 0, "without a TTY and --yes, fix refuses")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        let r = try await s.bkfix(["fix", logFile, "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("hub-hosts"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n49.234.165.79 hub.bktencent.com\n")
        let history = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        let run = try #require((history["runs"] as? [[String: Any]])?.first)
        #expect(run["playbook"] as? String == "hub-hosts")
    }

    @Test func fixWithNothingFixableSaysSoAndChangesNothing() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(
            ["fix", "-", "--yes"], stdin: Data("Error: timed out waiting for the condition\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Nothing bkfix can fix automatically"))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
    }
}
