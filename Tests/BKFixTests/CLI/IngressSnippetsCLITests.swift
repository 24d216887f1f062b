import Foundation
import Testing

@testable import BKFix

/// ingress-allow-snippets through the binary: a ConfigMap field as a file on the cluster's pseudo-host, patched with
/// its resourceVersion, recorded under cluster/<context>/ in the state repo, rolled back, refused on drift.
@Suite struct IngressSnippetsCLITests {
    static let patched = "kubectl --context \(ClusterSandbox.context) patch configmap"

    /// A sandbox whose ConfigMap has `allow-snippet-annotations: "false"`, with kubectl answering reads and the
    /// two patches (allow, then back).
    func sandbox(extra: [(argv: String, answer: StandInAnswer)] = []) throws -> ClusterSandbox {
        let c = try ClusterSandbox()
        try c.put("ingress-configmap.json", as: "cm.json")
        try c.sandbox.scriptedStandIn(
            "kubectl",
            extra + [
                ClusterSandbox.currentContext, c.getConfigMap(),
                c.patchConfigMap(allow: "true", resourceVersion: "1804", after: "ingress-configmap-allowed.json"),
                c.patchConfigMap(allow: "false", resourceVersion: "52311", after: "ingress-configmap-reverted.json"),
            ])
        return c
    }

    func apply(_ c: ClusterSandbox, _ extra: [String] = ["--revert-after", "none"]) async throws -> (
        ProcessOutput, String?
    ) {
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes", "--json"] + extra)
        return (out, (try? CLISandbox.json(out.stdout))?["run"] as? String)
    }

    @Test func planShowsOnlyTheFieldItChangesAndRunsNothingThatWrites() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "ingress-allow-snippets"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("== cluster:\(ClusterSandbox.context) =="))
        #expect(plan.stdout.contains("a/ingress-nginx/configmap/ingress-nginx-controller.yaml"))
        #expect(
            plan.stdout.contains("-  allow-snippet-annotations: \"false\"\n+  allow-snippet-annotations: \"true\"\n"))
        for serverField in ["resourceVersion", "managedFields", "uid:", "creationTimestamp"] {
            #expect(!plan.stdout.contains(serverField), "\(serverField) shown in \(plan.stdout)")
        }
        #expect(plan.stdout.contains("temporary fix: apply reverts it 2h later unless `bkfix confirm RUN`"))
        #expect(c.mutatingCalls.isEmpty, "\(c.calls)")
        #expect(!FileManager.default.fileExists(atPath: c.sandbox.state))
    }

    @Test func applyPatchesWithTheResourceVersionRecordsBeforeAndAfterAndVerifies() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let (out, run) = try await apply(c)
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try CLISandbox.json(out.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect(verify["ok"] as? Bool == true)
        #expect(verify["host"] as? String == "cluster:\(ClusterSandbox.context)")
        #expect(
            c.mutatingCalls
                == [c.patchConfigMap(allow: "true", resourceVersion: "1804", after: nil).argv].map { "kubectl " + $0 })
        let after = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.configMapPath)"])
        #expect(after.stdout.contains("  allow-snippet-annotations: \"true\"\n"))
        #expect(!after.stdout.contains("resourceVersion"))
        let before = try await c.sandbox.git(["show", "HEAD~1:\(ClusterSandbox.configMapPath)"])
        #expect(before.stdout.contains("  allow-snippet-annotations: \"false\"\n"))
        let log = try await c.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Run-Id: \(run ?? "?")"))
        #expect(log.stdout.contains("Host: cluster:\(ClusterSandbox.context)"))
    }

    @Test func reApplyPlansNothing() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        _ = try await apply(c)
        let again = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes", "--revert-after", "none"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("no changes: already applied"))
        #expect(c.mutatingCalls.count == 1)
    }

    @Test func rollbackPatchesTheFieldBackAndRecordsIt() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let (_, run) = try await apply(c)
        let rollback = try await c.bkfix(["rollback", try #require(run), "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(
            c.mutatingCalls.last == "kubectl "
                + c.patchConfigMap(allow: "false", resourceVersion: "52311", after: nil).argv)
        let now = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.configMapPath)"])
        #expect(now.stdout.contains("  allow-snippet-annotations: \"false\"\n"))
        let status = try await c.bkfix(["status"])
        #expect(status.stdout.contains("all clear"), "\(status.stdout)")
    }

    @Test func anEditAfterTheRunIsDriftAndRollbackRefusesItWithoutForce() async throws {
        let c = try sandbox(extra: [
            c0PatchForced()
        ])
        defer { c.cleanup() }
        let (_, run) = try await apply(c)
        try c.put("ingress-configmap-edited.json", as: "cm.json")
        let status = try await c.bkfix(["status"])
        #expect(
            status.stdout.contains(
                "drift: /ingress-nginx/configmap/ingress-nginx-controller.yaml on cluster:\(ClusterSandbox.context)"),
            "\(status.stdout)")
        let refused = try await c.bkfix(["rollback", try #require(run), "--yes"])
        #expect(refused.status == 3)
        #expect(
            refused.stdout.contains("-  proxy-body-size: \"10240m\"\n+  proxy-body-size: \"20480m\""),
            "\(refused.stdout)")
        #expect(refused.stderr.contains("changed after run"))
        #expect(c.mutatingCalls.count == 1)
        let forced = try await c.bkfix(["rollback", try #require(run), "--yes", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(c.mutatingCalls.last == "kubectl " + Self.c0PatchForced().argv)
    }

    /// With --force, the object goes back to its recorded content: both fields, from the edited object's version.
    static func c0PatchForced() -> (argv: String, answer: StandInAnswer) {
        (
            "--context \(ClusterSandbox.context) patch configmap ingress-nginx-controller -n ingress-nginx --type merge -p "
                + #"{"data":{"allow-snippet-annotations":"false","proxy-body-size":"10240m"},"metadata":{"resourceVersion":"60127"}}"#,
            StandInAnswer(stdout: "configmap/ingress-nginx-controller patched\n")
        )
    }

    func c0PatchForced() -> (argv: String, answer: StandInAnswer) { Self.c0PatchForced() }

    @Test func aRunKilledRightAfterThePatchIsReportedAndUndoneByRecover() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let killed = try await c.bkfix(
            ["apply", "ingress-allow-snippets", "--yes", "--revert-after", "none"],
            env: ["BKFIX_FAULT": "file-write.after@cluster:\(ClusterSandbox.context)#1"])
        #expect(killed.status != 0)
        #expect(c.mutatingCalls.count == 1)
        let status = try await c.bkfix(["status"])
        #expect(status.stdout.contains("interrupted run: "), "\(status.stdout)")
        let recover = try await c.bkfix(["recover", "--undo", "--yes"])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(
            recover.stdout.contains("done  modify /ingress-nginx/configmap/ingress-nginx-controller.yaml"),
            "\(recover.stdout)")
        #expect(
            c.mutatingCalls.last == "kubectl "
                + c.patchConfigMap(allow: "false", resourceVersion: "52311", after: nil).argv)
        let now = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.configMapPath)"])
        #expect(now.stdout.contains("  allow-snippet-annotations: \"false\"\n"))
        #expect(try await c.bkfix(["status"]).stdout.contains("all clear"))
    }

    @Test func aPatchTheAPIServerRefusesFailsTheRunAndChangesNothingRecorded() async throws {
        let c = try ClusterSandbox()
        defer { c.cleanup() }
        try c.put("ingress-configmap.json", as: "cm.json")
        var conflict = c.patchConfigMap(allow: "true", resourceVersion: "1804", after: nil)
        conflict.answer = StandInAnswer(
            stderr: "Error from server (Conflict): Operation cannot be fulfilled on configmaps "
                + "\"ingress-nginx-controller\": the object has been modified; please apply your changes to the latest "
                + "version and try again", status: 1)
        try c.sandbox.scriptedStandIn("kubectl", [ClusterSandbox.currentContext, c.getConfigMap(), conflict])
        let (out, _) = try await apply(c)
        #expect(out.status == 1)
        let doc = try CLISandbox.json(out.stdout)
        #expect(doc["status"] as? String == "failed")
        #expect((doc["error"] as? String)?.contains("the API server refused the patch") == true, "\(doc)")
        let recorded = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.configMapPath)"])
        #expect(recorded.stdout.contains("allow-snippet-annotations: \"false\""))
    }

    @Test func aSavedPlanIsStaleOnceTheObjectChanged() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let planFile = c.sandbox.dir.appendingPathComponent("plan.json").path
        #expect(try await c.bkfix(["plan", "ingress-allow-snippets", "--out", planFile]).status == 0)
        try c.put("ingress-configmap-edited.json", as: "cm.json")
        let stale = try await c.bkfix(["apply", "--plan", planFile, "--yes", "--revert-after", "none"])
        #expect(stale.status == 3)
        #expect(stale.stderr.contains("stale plan: /ingress-nginx/configmap/ingress-nginx-controller.yaml on cluster:"))
        #expect(c.mutatingCalls.isEmpty)
    }

    @Test func noCurrentContextIsAClearError() async throws {
        let c = try ClusterSandbox()
        defer { c.cleanup() }
        try c.sandbox.scriptedStandIn(
            "kubectl",
            [("config current-context", StandInAnswer(stderr: "error: current-context is not set", status: 1))])
        let plan = try await c.bkfix(["plan", "ingress-allow-snippets"])
        #expect(plan.status == 2)
        #expect(plan.stderr.contains("kubectl has no current context"), "\(plan.stderr)")
        #expect(plan.stderr.contains("error: current-context is not set"))
    }

    @Test func aGivenContextIsUsedWithoutAskingKubectlForTheCurrentOne() async throws {
        let c = try ClusterSandbox()
        defer { c.cleanup() }
        try c.put("ingress-configmap.json", as: "cm.json")
        try c.sandbox.scriptedStandIn(
            "kubectl",
            [
                (
                    "--context bk-prod get configmap nginx -n ingress -o json",
                    StandInAnswer(stdoutFile: c.state("cm.json"))
                )
            ])
        let plan = try await c.bkfix([
            "plan", "ingress-allow-snippets", "-p", "context=bk-prod", "-p", "namespace=ingress", "-p",
            "configmap=nginx",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("== cluster:bk-prod =="))
        #expect(c.calls == ["kubectl --context bk-prod get configmap nginx -n ingress -o json"])
    }
}
