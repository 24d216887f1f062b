import Foundation
import Testing

@testable import BKFix

/// helm-unstick and helm-reinstall through the binary, with stand-in helm and helmfile that keep the release's
/// history and status in files (helm's real JSON shapes), so a rollback, an uninstall or a sync changes what the
/// next `helm history` shows.
@Suite struct HelmReleaseCLITests {
    static let ctx = ClusterSandbox.context
    static let rollback = "helm --kube-context \(ctx) rollback -n blueking bk-paas 2 --wait"
    static let uninstall = "helm --kube-context \(ctx) uninstall -n blueking bk-paas"
    static let sync = "helmfile -f base-blueking.yaml.gotmpl -l name=bk-paas sync"

    /// A release whose history is `history` (and status `status`); the sync leaves `synced`.
    func sandbox(
        history: String, status: String, synced: (history: String, status: String), failSync: Bool = false
    ) throws -> ClusterSandbox {
        let c = try ClusterSandbox()
        try c.put(history, as: "history.json")
        try c.put(status, as: "status.json")
        try c.sandbox.scriptedStandIn("kubectl", [ClusterSandbox.currentContext])
        try c.sandbox.scriptedStandIn(
            "helm",
            c.helmReads() + [
                (
                    "--kube-context \(Self.ctx) rollback -n blueking bk-paas 2 --wait",
                    StandInAnswer(
                        stdout: "Rollback was a success! Happy Helming!\n",
                        then: [(ClusterSandbox.fixture("helm-history-rolled-back.json"), c.state("history.json"))])
                ),
                (
                    "--kube-context \(Self.ctx) uninstall -n blueking bk-paas",
                    StandInAnswer(
                        stdout: "release \"bk-paas\" uninstalled\n",
                        then: [(nil, c.state("history.json")), (nil, c.state("status.json"))])
                ),
            ])
        try c.sandbox.scriptedStandIn(
            "helmfile",
            [
                (
                    "-f base-blueking.yaml.gotmpl -l name=bk-paas sync",
                    failSync
                        ? StandInAnswer(stderr: "Error: UPGRADE FAILED: timed out waiting for the condition", status: 1)
                        : StandInAnswer(
                            stdout:
                                "Building dependency release=bk-paas\nUPDATED RELEASES:\nNAME    CHART    VERSION\n",
                            then: [
                                (ClusterSandbox.fixture(synced.history), c.state("history.json")),
                                (ClusterSandbox.fixture(synced.status), c.state("status.json")),
                            ])
                )
            ])
        return c
    }

    func pendingUpgrade() throws -> ClusterSandbox {
        try sandbox(
            history: "helm-history-pending-upgrade.json", status: "helm-status-pending-upgrade.json",
            synced: ("helm-history-synced.json", "helm-status-deployed.json"))
    }

    func run(_ out: ProcessOutput) throws -> String {
        try #require(try CLISandbox.json(out.stdout)["run"] as? String)
    }

    @Test func planShowsTheHistoryAndWhyItRollsBackToRevision2AndRunsNothing() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "helm-unstick", "-p", "release=bk-paas"])
        #expect(plan.status == 0, "\(plan.stderr)")
        for line in [
            "note: helm history -n blueking bk-paas -o json:",
            "REVISION  UPDATED                              STATUS           CHART          APP VERSION  DESCRIPTION",
            "2         2024-03-18T11:40:52.090214377+08:00  deployed         bkpaas3-1.1.6  1.1.6        Upgrade complete",
            "note: chose revision 2: the last one that was deployed (deployed, bkpaas3-1.1.6); the latest, 3, is stuck in pending-upgrade",
            "$ helm --kube-context \(Self.ctx) rollback -n blueking bk-paas 2 --wait  [irreversible]",
            "    compensation: \(Self.sync)",
            "$ \(Self.sync)  [compensating]",
            "recorded before and after the run (read only, never changed):",
            "  cluster:\(Self.ctx) /helm/blueking/bk-paas/history.yaml",
        ] {
            #expect(plan.stdout.contains(line), "missing \(line) in \(plan.stdout)")
        }
        #expect(c.mutatingCalls.isEmpty, "\(c.calls)")
    }

    @Test func applyRollsBackSyncsVerifiesAndRecordsTheHistoryBeforeAndAfter() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let doc = try CLISandbox.json(out.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect(verify["detail"] as? String == "bk-paas is deployed (revision 5)")
        #expect(c.mutatingCalls == [Self.rollback, Self.sync])
        let before = try await c.sandbox.git(["show", "HEAD~1:\(ClusterSandbox.historyPath)"])
        #expect(before.stdout.contains("  status: pending-upgrade\n"), "\(before.stdout)")
        let after = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.historyPath)"])
        #expect(
            after.stdout.contains(
                "- app_version: \"1.1.6\"\n  chart: bkpaas3-1.1.6\n  description: Upgrade complete\n  revision: 5\n  status: deployed\n"
            ), "\(after.stdout)")
        let status = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.statusPath)"])
        #expect(status.stdout.contains("  status: deployed\n"))
        for secret in ["S3cr3t", "manifest", "password", "templates"] {
            #expect(!status.stdout.contains(secret), "the state repo holds \(secret)")
        }
        let clean = try await c.bkfix(["status"])
        #expect(clean.stdout.contains("all clear"), "helm's answers are not drift: \(clean.stdout)")
        let show = try await c.bkfix(["show", try run(out)])
        #expect(show.stdout.contains("== recorded cluster:\(Self.ctx):/helm/blueking/bk-paas/history.yaml (before "))
    }

    @Test func reApplyPlansNothingOnceTheReleaseIsDeployed() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        #expect(try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes"]).status == 0)
        let again = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("the latest revision (5, deployed) is not pending: helm is not locked"))
        #expect(again.stdout.contains("no changes: already applied"))
        #expect(c.mutatingCalls == [Self.rollback, Self.sync])
    }

    @Test func rollbackListsTheHelmRollbackAsNotUndoableAndOnlySyncsAgain() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        let id = try run(try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes", "--json"]))
        let dry = try await c.bkfix(["rollback", id, "--dry-run"])
        #expect(
            dry.stdout.contains("these commands cannot be undone:\n  \(Self.rollback) [irreversible]"), "\(dry.stdout)")
        let rollback = try await c.bkfix(["rollback", id, "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(c.mutatingCalls == [Self.rollback, Self.sync, Self.sync])
    }

    @Test func aReleaseThatNeverDeployedIsUninstalledThenInstalled() async throws {
        let c = try sandbox(
            history: "helm-history-pending-install.json", status: "helm-status-pending-install.json",
            synced: ("helm-history-installed.json", "helm-status-installed.json"))
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "helm-unstick", "-p", "release=bk-paas"])
        #expect(plan.stdout.contains("no revision was ever deployed (the latest, 1, is pending-install)"))
        #expect(plan.stdout.contains("$ \(Self.uninstall)  [irreversible]"))
        let unconfirmed = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas"])
        #expect(unconfirmed.status == 3)
        #expect(c.mutatingCalls.isEmpty)
        let out = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.mutatingCalls == [Self.uninstall, Self.sync])
        let before = try await c.sandbox.git(["show", "HEAD~1:\(ClusterSandbox.historyPath)"])
        #expect(before.stdout.contains("status: pending-install"))
    }

    @Test func aFailedSyncFailsTheRunAndItsRollbackSyncsAgain() async throws {
        let c = try sandbox(
            history: "helm-history-pending-upgrade.json", status: "helm-status-pending-upgrade.json",
            synced: ("helm-history-synced.json", "helm-status-deployed.json"), failSync: true)
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes", "--json"])
        #expect(out.status == 1)
        let id = try run(out)
        let rollback = try await c.bkfix(["rollback", id, "--dry-run"])
        #expect(
            rollback.stdout.contains(
                "bk-paas was rolled back to revision 2 by run \(id); then sync release bk-paas failed"),
            "\(rollback.stdout)")
    }

    @Test func helmReinstallUninstallsAReleaseWithNoDeployedRevision() async throws {
        let c = try sandbox(
            history: "helm-history-failed-install.json", status: "helm-status-failed-install.json",
            synced: ("helm-history-installed.json", "helm-status-installed.json"))
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "helm-reinstall", "-p", "release=bk-paas"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("no revision is deployed (so helm upgrade says \"has no deployed releases\")"))
        #expect(c.mutatingCalls.isEmpty)
        let out = try await c.bkfix(["apply", "helm-reinstall", "-p", "release=bk-paas", "--yes", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.mutatingCalls == [Self.uninstall, Self.sync])
        let before = try await c.sandbox.git(["show", "HEAD~1:\(ClusterSandbox.historyPath)"])
        #expect(before.stdout.contains("status: failed"))
        let after = try await c.sandbox.git(["show", "HEAD:\(ClusterSandbox.historyPath)"])
        #expect(after.stdout.contains("status: deployed"))
        let again = try await c.bkfix(["apply", "helm-reinstall", "-p", "release=bk-paas", "--yes"])
        #expect(
            again.stdout.contains("bk-paas has a deployed revision, so helm upgrade can work; nothing to reinstall"))
        #expect(c.mutatingCalls == [Self.uninstall, Self.sync])
    }

    @Test func revertAfterIsRefusedForAnIrreversiblePlan() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        try c.installSystemd()
        let out = try await c.bkfix(["apply", "helm-unstick", "-p", "release=bk-paas", "--yes", "--revert-after", "1h"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--revert-after cannot revert this plan: \(Self.rollback) cannot be undone"))
        #expect(c.mutatingCalls.isEmpty)
    }

    @Test func anUnknownReleaseIsNotInTheWorkDir() async throws {
        let c = try pendingUpgrade()
        defer { c.cleanup() }
        let out = try await c.bkfix(["plan", "helm-unstick", "-p", "release=bk-nothing"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("bk-nothing"), "\(out.stderr)")
    }
}
