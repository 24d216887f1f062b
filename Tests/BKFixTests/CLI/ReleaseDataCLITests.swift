import Foundation
import Testing

@testable import BKFix

/// reset-release-data through the binary: the claims listed with their sizes, the data loss said in red, then
/// destroy, delete pvc and sync; nothing when the release is healthy.
@Suite struct ReleaseDataCLITests {
    static let ctx = ClusterSandbox.context
    static let destroy = "helmfile -f base-storage.yaml.gotmpl -l name=bk-redis-cluster destroy"
    static let delete = "kubectl --context \(ctx) delete pvc -n blueking -l app.kubernetes.io/instance=bk-redis-cluster"
    static let sync = "helmfile -f base-storage.yaml.gotmpl -l name=bk-redis-cluster sync"

    func sandbox(pods: String = "redis-pods-crashing.json", claims: String = "redis-pvcs.json") throws -> ClusterSandbox
    {
        let c = try ClusterSandbox()
        let selector = "-n blueking -l app.kubernetes.io/instance=bk-redis-cluster -o json"
        try c.sandbox.scriptedStandIn(
            "kubectl",
            [
                ClusterSandbox.currentContext,
                (
                    "--context \(Self.ctx) get pvc \(selector)",
                    StandInAnswer(stdout: try Fixtures.text("cluster/\(claims)"))
                ),
                (
                    "--context \(Self.ctx) get pod \(selector)",
                    StandInAnswer(stdout: try Fixtures.text("cluster/\(pods)"))
                ),
                (
                    String(Self.delete.dropFirst("kubectl ".count)),
                    StandInAnswer(
                        stdout: (0..<3).map { "persistentvolumeclaim \"redis-data-bk-redis-cluster-\($0)\" deleted\n" }
                            .joined())
                ),
            ])
        try c.sandbox.scriptedStandIn("helm", c.helmReads(release: "bk-redis-cluster"))
        try c.sandbox.scriptedStandIn(
            "helmfile",
            [
                (
                    "-f base-storage.yaml.gotmpl -l name=bk-redis-cluster destroy",
                    StandInAnswer(stdout: "DELETED RELEASES:\n")
                ),
                (
                    "-f base-storage.yaml.gotmpl -l name=bk-redis-cluster sync",
                    StandInAnswer(stdout: "UPDATED RELEASES:\n")
                ),
            ])
        try c.put("helm-status-deployed.json", as: "status.json")
        try c.put("helm-history-synced.json", as: "history.json")
        return c
    }

    @Test func planListsTheClaimsWarnsOfDataLossAndChangesNothing() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "reset-release-data", "-p", "release=bk-redis-cluster"])
        #expect(plan.status == 0, "\(plan.stderr)")
        for line in [
            "NAME                           STATUS  SIZE  STORAGECLASS   VOLUME",
            "redis-data-bk-redis-cluster-0  Bound   8Gi   local-storage  pvc-9a1c0000-7b2e-4b8e-9d51-1f0c2d3e4a5b",
            "pods (1/3 ready):",
            "WARNING: DATA LOSS: deletes the 3 PersistentVolumeClaims of bk-redis-cluster (24Gi in all)",
            "$ \(Self.destroy)  [irreversible]",
            "$ \(Self.delete)  [irreversible]",
            "$ \(Self.sync)  [compensating]",
        ] {
            #expect(plan.stdout.contains(line), "missing \(line) in \(plan.stdout)")
        }
        #expect(c.mutatingCalls.isEmpty, "\(c.calls)")
    }

    @Test func theWarningIsRedOnATerminalsColours() throws {
        var plan = Plan(
            playbook: "reset-release-data", cases: [], title: Localized(zh: "t", en: "t"), params: [:], changes: [],
            verify: [], notes: [], pins: [])
        plan.warnings = ["DATA LOSS: x"]
        #expect(
            PlanRenderer.render(plan, language: .en, color: true).contains("\u{1B}[1;31mWARNING: DATA LOSS: x\u{1B}[0m")
        )
    }

    @Test func applyDestroysDeletesTheClaimsAndSyncsConfirmedWithTheReleaseName() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let refused = try await c.bkfix(["apply", "reset-release-data", "-p", "release=bk-redis-cluster"])
        #expect(refused.status == 3)
        #expect(c.mutatingCalls.isEmpty)
        let out = try await c.bkfix([
            "apply", "reset-release-data", "-p", "release=bk-redis-cluster", "--yes", "--json",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.mutatingCalls == [Self.destroy, Self.delete, Self.sync])
        let id = try #require(try CLISandbox.json(out.stdout)["run"] as? String)
        let rollback = try await c.bkfix(["rollback", id, "--dry-run"])
        #expect(rollback.stdout.contains("  \(Self.delete) [irreversible]"), "\(rollback.stdout)")
        #expect(rollback.stdout.contains("$ \(Self.sync)  [compensating]"))
    }

    @Test func aHealthyReleaseIsLeftAloneUnlessForced() async throws {
        let c = try sandbox(pods: "redis-pods-ready.json")
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "reset-release-data", "-p", "release=bk-redis-cluster", "--yes"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("all 3 pods of bk-redis-cluster are ready: resetting would only lose data"))
        #expect(out.stdout.contains("no changes: already applied"))
        #expect(c.mutatingCalls.isEmpty)
        let forced = try await c.bkfix([
            "plan", "reset-release-data", "-p", "release=bk-redis-cluster", "-p", "force=true",
        ])
        #expect(forced.stdout.contains("$ \(Self.delete)  [irreversible]"))
    }

    @Test func noClaimsNothingToReset() async throws {
        let c = try sandbox(claims: "empty-list.json")
        defer { c.cleanup() }
        let out = try await c.bkfix(["plan", "reset-release-data", "-p", "release=bk-redis-cluster"])
        #expect(out.stdout.contains("bk-redis-cluster has no PersistentVolumeClaim in blueking"), "\(out.stdout)")
        #expect(out.stdout.contains("no changes"))
    }
}
