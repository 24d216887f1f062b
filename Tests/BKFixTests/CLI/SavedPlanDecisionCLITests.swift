import Foundation
import Testing

/// A saved plan re-checks the decisions it made from commands (issue 8, item 8): `localpv-sync` decided to sync because
/// `kubectl get sc -o json` showed no default StorageClass. When that answer changes so that the plan would differ,
/// `apply --plan` refuses and names the command; when it changes where it did not matter, the plan goes on.
@Suite struct SavedPlanDecisionCLITests {
    static let installDir = "/root/bkce7.1-install"

    /// A work dir with the localpv helmfile; `kubectl get sc` answers whatever `sc.json` in the sandbox holds.
    func sandbox(classes: String) throws -> CLISandbox {
        let s = try CLISandbox()
        try s.refuseAllTools()
        try s.write(
            Self.installDir + "/blueking/00-localpv.yaml.gotmpl",
            "releases:\n  - name: localpv\n    namespace: kube-system\n")
        try setClasses(s, classes)
        try s.scriptedStandIn(
            "kubectl",
            cases: [
                ("get sc -o json", "    cat \"$SANDBOX/sc.json\"\n    exit 0"),
                (
                    "get pv -o json",
                    "    echo '{\"apiVersion\": \"v1\", \"items\": [], \"kind\": \"List\"}'\n    exit 0"
                ),
            ])
        // The sync installs localpv: then the default class is there (the verify checks it).
        let installed = Fixtures.url("host/k8s/sc-default.json").path
        try s.scriptedStandIn(
            "helmfile",
            cases: [
                (
                    "-f 00-localpv.yaml.gotmpl sync",
                    "    cp '\(installed)' \"$SANDBOX/sc.json\"\n    echo 'UPDATED RELEASES:'\n    exit 0"
                )
            ])
        return s
    }

    func setClasses(_ s: CLISandbox, _ fixture: String) throws {
        try Data(try Fixtures.text("host/k8s/\(fixture)").utf8).write(
            to: URL(fileURLWithPath: s.sandboxPath("sc.json")))
    }

    func savedPlan(_ s: CLISandbox) async throws -> String {
        let file = s.sandboxPath("plan.json")
        let r = try await s.bkfix(["plan", "localpv-sync", "--out", file, "--install-dir", Self.installDir])
        #expect(r.status == 0, "\(r.stderr)")
        let saved = try CLISandbox.json(try String(contentsOfFile: file, encoding: .utf8))
        let queries = try #require(saved["queries"] as? [[String: Any]])
        #expect(queries.contains { $0["argv"] as? [String] == ["kubectl", "get", "sc", "-o", "json"] })
        return file
    }

    @Test func aDefaultStorageClassThatAppearedSinceThePlanIsNamedAndNothingRuns() async throws {
        let s = try sandbox(classes: "sc-empty.json")
        defer { s.cleanup() }
        let file = try await savedPlan(s)
        try setClasses(s, "sc-default.json")
        let r = try await s.bkfix(["apply", "--plan", file, "--yes", "--json"])
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        let error = try #require(try CLISandbox.json(r.stdout)["error"] as? [String: Any])
        #expect(error["code"] as? String == "stale-plan")
        let message = try #require(error["message"] as? String)
        #expect(message.contains("`kubectl get sc -o json` on control answers differently"), "\(message)")
        #expect(!s.calls.contains { $0.hasPrefix("helmfile") })
        #expect(try await s.historyRuns().isEmpty)
    }

    @Test func anAnswerThatChangedWhereItDidNotMatterLetsThePlanGoOn() async throws {
        let s = try sandbox(classes: "sc-empty.json")
        defer { s.cleanup() }
        let file = try await savedPlan(s)
        // A StorageClass appeared, but still none is the default: the plan made now is the same.
        try setClasses(s, "sc-nodefault.json")
        let r = try await s.bkfix(["apply", "--plan", file, "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.calls.contains("helmfile -f 00-localpv.yaml.gotmpl sync"))
    }
}
