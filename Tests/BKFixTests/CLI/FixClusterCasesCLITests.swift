import Foundation
import Testing

@testable import BKFix

/// `bkfix fix LOG` end to end for the cases the cluster playbooks fix: diagnosis names the case and derives its
/// params, the playbook is planned with them, applied, verified and recorded under the diagnosed case.
@Suite struct FixClusterCasesCLITests {
    static func log(_ name: String) -> String { Fixtures.url("cluster/logs/\(name).log").path }

    func caseTrailer(_ c: ClusterSandbox) async throws -> String {
        try await c.sandbox.git(["log", "-1", "--grep=^Run-Id: ", "--format=%(trailers:key=Case,valueonly)"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func anotherOperationInProgressRollsTheDerivedReleaseBack() async throws {
        let c = try HelmReleaseCLITests().pendingUpgrade()
        defer { c.cleanup() }
        let out = try await c.bkfix(["fix", Self.log("helm-operation-in-progress"), "--yes", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(try CLISandbox.json(out.stdout)["status"] as? String == "applied")
        #expect(c.mutatingCalls == [HelmReleaseCLITests.rollback, HelmReleaseCLITests.sync])
        #expect(try await caseTrailer(c) == "helm-operation-in-progress")
    }

    @Test func noDeployedReleasesReinstallsTheDerivedRelease() async throws {
        let c = try HelmReleaseCLITests().sandbox(
            history: "helm-history-failed-install.json", status: "helm-status-failed-install.json",
            synced: ("helm-history-installed.json", "helm-status-installed.json"))
        defer { c.cleanup() }
        let out = try await c.bkfix(["fix", Self.log("helm-no-deployed-releases"), "--yes"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.contains("Planning playbook helm-reinstall for case helm-no-deployed-releases"))
        #expect(c.mutatingCalls == [HelmReleaseCLITests.uninstall, HelmReleaseCLITests.sync])
        #expect(try await caseTrailer(c) == "helm-no-deployed-releases")
    }

    @Test func snippetsDisabledAllowsThemForTwoHoursThenTheTimerRevertsThem() async throws {
        let c = try IngressSnippetsCLITests().sandbox()
        defer { c.cleanup() }
        try c.installSystemd()
        let out = try await c.bkfix(["fix", Self.log("ingress-snippet-disabled"), "--yes"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("reverts at "), "\(out.stdout)")
        #expect(c.scheduledOptions.contains("--on-active=7200s"))
        #expect(try await caseTrailer(c) == "ingress-snippet-disabled")
        let fired = try await c.runScheduled()
        #expect(fired.status == 0, "\(fired.stderr)")
        #expect(
            c.mutatingCalls.filter { $0.contains(" patch configmap ") }.map { $0.contains("\"false\"") } == [
                false, true,
            ])
    }

    @Test func snippetsDisabledWithoutSystemdSaysHowToKeepIt() async throws {
        let c = try IngressSnippetsCLITests().sandbox()
        defer { c.cleanup() }
        let refused = try await c.bkfix(["fix", Self.log("ingress-snippet-disabled"), "--yes"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--revert-after none"))
        let kept = try await c.bkfix(["fix", Self.log("ingress-snippet-disabled"), "--yes", "--revert-after", "none"])
        #expect(kept.status == 0, "\(kept.stderr)")
    }

    @Test func fixActsOnTheContextItWasGiven() async throws {
        let c = try ClusterSandbox()
        defer { c.cleanup() }
        try c.put("ingress-configmap.json", as: "cm.json")
        try c.sandbox.scriptedStandIn(
            "kubectl",
            [
                (
                    "--context bk-prod get configmap ingress-nginx-controller -n ingress-nginx -o json",
                    StandInAnswer(stdoutFile: c.state("cm.json"))
                )
            ])
        let plan = try await c.bkfix([
            "fix", Self.log("ingress-snippet-disabled"), "--context", "bk-prod", "--revert-after", "none",
        ])
        #expect(plan.stdout.contains("== cluster:bk-prod =="), "\(plan.stdout) \(plan.stderr)")
        #expect(
            c.calls == ["kubectl --context bk-prod get configmap ingress-nginx-controller -n ingress-nginx -o json"])
    }

    @Test func bkciNumberFormatQuotesTheValue() async throws {
        let c = try SetValueCLITests().sandbox()
        defer { c.cleanup() }
        // Until diagnosis derives release, key, value and type from this log, they are given here.
        let out = try await c.bkfix(["fix", Self.log("bkci-number-format"), "--yes"] + SetValueCLITests.bkci)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(
            c.sandbox.readText(SetValueCLITests.custom) == "config:\n  bkCiApiTokenExpiredMillisecond: \"86400000\"\n")
        #expect(try await caseTrailer(c) == "bkci-number-format")
    }
}
