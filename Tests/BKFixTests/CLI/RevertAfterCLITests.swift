import Foundation
import Testing

@testable import BKFix

/// `apply --revert-after`, `confirm` and `rollback --if-unconfirmed` through the binary, with stand-in systemd-run
/// and systemctl that record their argv, and the scheduled command line run by hand as the timer would.
@Suite struct RevertAfterCLITests {
    func sandbox(systemd: Bool = true, failingSystemdRun: Bool = false) throws -> ClusterSandbox {
        let c = try ClusterSandbox()
        try c.put("ingress-configmap.json", as: "cm.json")
        try c.sandbox.scriptedStandIn(
            "kubectl",
            [
                ClusterSandbox.currentContext, c.getConfigMap(),
                c.patchConfigMap(allow: "true", resourceVersion: "1804", after: "ingress-configmap-allowed.json"),
                c.patchConfigMap(allow: "false", resourceVersion: "52311", after: "ingress-configmap-reverted.json"),
            ])
        if systemd { try c.installSystemd(failing: failingSystemdRun) }
        return c
    }

    var revertPatch: String {
        "kubectl --context \(ClusterSandbox.context) patch configmap ingress-nginx-controller -n ingress-nginx --type "
            + #"merge -p {"data":{"allow-snippet-annotations":"false"},"metadata":{"resourceVersion":"52311"}}"#
    }

    /// Applies the ingress playbook (its default: revert after 2h) and returns the run id.
    func applyTemporary(_ c: ClusterSandbox, _ extra: [String] = []) async throws -> String {
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes"] + extra)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("unless `bkfix confirm"), "\(out.stdout)")
        let line = try #require(out.stdout.split(separator: "\n").first { $0.hasPrefix("run ") })
        return String(line.split(separator: " ")[1])
    }

    @Test func withoutSystemdTheOptionIsRefusedBeforeAnythingChanges() async throws {
        let c = try sandbox(systemd: false)
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--revert-after needs systemd"), "\(out.stderr)")
        #expect(out.stderr.contains("/run/systemd/system is absent"))
        #expect(out.stderr.contains("--revert-after none"))
        #expect(c.mutatingCalls.isEmpty, "\(c.calls)")
        let history = try await c.bkfix(["history"])
        #expect(history.stdout.contains("no runs recorded yet"))
        let kept = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes", "--revert-after", "none"])
        #expect(kept.status == 0, "\(kept.stderr)")
    }

    @Test func theDefaultSchedulesTheRollbackWithSystemdRun() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let run = try await applyTemporary(c)
        let options = c.scheduledOptions
        #expect(
            options.prefix(3) == ["--unit=bkfix-revert-\(run)", "--on-active=7200s", "--timer-property=AccuracySec=1s"])
        #expect(options.contains("--setenv=PATH=\(c.sandbox.environment["PATH"]!)"))
        let command = c.scheduledCommand
        #expect(command.first?.hasPrefix("/") == true)
        #expect(FileManager.default.isExecutableFile(atPath: command[0]))
        #expect(
            Array(command.dropFirst())
                == [
                    "rollback", run, "--yes", "--if-unconfirmed", "--state", c.sandbox.state, "--root", c.sandbox.root,
                    "--lang", "en", "--install-dir", ClusterSandbox.installDir,
                ])
        let schedule = try await c.sandbox.git(["show", "HEAD:reverts/\(run).json"])
        #expect(schedule.stdout.contains("\"state\" : \"scheduled\""), "\(schedule.stdout)")
        let log = try await c.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("revert scheduled: run \(run) reverts in 2h unless confirmed"))
        #expect(log.stdout.contains("Revert-Of: \(run)"))
        let status = try await c.bkfix(["status"])
        #expect(
            status.stdout.contains("temporary fix: run \(run) (ingress-allow-snippets) reverts at "), "\(status.stdout)"
        )
        let json = try CLISandbox.json(try await c.bkfix(["status", "--json"]).stdout)
        let pending = try #require((json["pendingReverts"] as? [[String: Any]])?.first)
        #expect(pending["run"] as? String == run)
        #expect(pending["overdue"] as? Bool == false)
        let history = try await c.bkfix(["history"])
        #expect(history.stdout.contains("[reverts at "), "\(history.stdout)")
        let show = try await c.bkfix(["show", run])
        #expect(show.stdout.contains("temporary: reverts at "), "\(show.stdout)")
    }

    @Test func theScheduledCommandRevertsTheChangeOnce() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let run = try await applyTemporary(c, ["--revert-after", "30m"])
        #expect(c.scheduledOptions.contains("--on-active=1800s"))
        let fired = try await c.runScheduled()
        #expect(fired.status == 0, "\(fired.stderr)")
        #expect(c.mutatingCalls.filter { $0 == revertPatch }.count == 1)
        let schedule = try await c.sandbox.git(["show", "HEAD:reverts/\(run).json"])
        #expect(schedule.stdout.contains("\"state\" : \"reverted\""))
        #expect(schedule.stdout.contains("\"onSchedule\" : true"))
        let show = try await c.bkfix(["history", "--json"])
        let runs = try #require(try CLISandbox.json(show.stdout)["runs"] as? [[String: Any]])
        let rollback = try #require(runs.first { $0["kind"] as? String == "rollback" })
        #expect(rollback["rollbackOf"] as? String == run)
        let again = try await c.runScheduled()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("was already rolled back by run"), "\(again.stdout)")
        #expect(c.mutatingCalls.filter { $0 == revertPatch }.count == 1)
        let status = try await c.bkfix(["status"])
        #expect(!status.stdout.contains("temporary fix"))
    }

    @Test func aConfirmedRunIsKeptAndItsTimerStopped() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let run = try await applyTemporary(c)
        let confirm = try await c.sandbox.bkfix(["confirm", run], env: ["SUDO_USER": "alice"])
        #expect(confirm.status == 0, "\(confirm.stderr)")
        #expect(confirm.stdout.contains("confirmed by alice"), "\(confirm.stdout)")
        #expect(c.calls.contains("systemctl stop bkfix-revert-\(run).timer"))
        let log = try await c.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("confirm: run \(run) kept by alice"))
        #expect(log.stdout.contains("Operator: alice"))
        let fired = try await c.runScheduled()
        #expect(fired.status == 0, "\(fired.stderr)")
        #expect(fired.stdout.contains("was confirmed by alice"), "\(fired.stdout)")
        #expect(!c.calls.contains(revertPatch))
        let twice = try await c.sandbox.bkfix(["confirm", run])
        #expect(twice.status == 3)
        #expect(twice.stderr.contains("already confirmed by alice"))
        let history = try await c.bkfix(["history"])
        #expect(history.stdout.contains("[confirmed by alice at "), "\(history.stdout)")
    }

    @Test func aRollbackByHandStopsTheTimer() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let run = try await applyTemporary(c)
        let rollback = try await c.bkfix(["rollback", run, "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(c.calls.contains("systemctl stop bkfix-revert-\(run).timer"))
        let schedule = try await c.sandbox.git(["show", "HEAD:reverts/\(run).json"])
        #expect(schedule.stdout.contains("\"onSchedule\" : false"))
        let confirm = try await c.bkfix(["confirm", run])
        #expect(confirm.status == 3)
        #expect(confirm.stderr.contains("already reverted"))
    }

    @Test func aFailingSystemdRunLeavesTheChangeButSaysSoAndFails() async throws {
        let c = try sandbox(failingSystemdRun: true)
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes"])
        #expect(out.status == 1)
        #expect(out.stderr.contains("no revert is scheduled (systemd-run exited with status 1"), "\(out.stderr)")
        let json = try CLISandbox.json(try await c.bkfix(["history", "--json"]).stdout)
        let entry = try #require((json["runs"] as? [[String: Any]])?.first)
        #expect((entry["revert"] as? [String: Any])?["state"] as? String == "not-scheduled")
    }

    @Test func confirmingARunThatIsNotTemporaryIsRefused() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes", "--revert-after", "none", "--json"])
        let run = try #require(try CLISandbox.json(out.stdout)["run"] as? String)
        let confirm = try await c.bkfix(["confirm", run])
        #expect(confirm.status == 2)
        #expect(confirm.stderr.contains("was not applied with --revert-after"))
        #expect(!c.calls.contains { $0.hasPrefix("systemctl") })
    }

    @Test func aBadDurationIsAUsageError() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "ingress-allow-snippets", "--yes", "--revert-after", "2 hours"])
        #expect(out.status == 64)
        #expect(out.stderr.contains("expected a duration such as 30m, 2h or 1h30m"))
    }

    @Test func lintNamesABadRevertAfter() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let file = c.sandbox.dir.appendingPathComponent("temp-fix.yaml").path
        try """
        id: temp-fix
        title: {zh: 临时, en: temporary}
        revert-after: soon
        steps:
          - command: {argv: [true], risk: read-only}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let lint = try await c.bkfix(["playbook", "lint", file])
        #expect(lint.status == 2)
        #expect(
            lint.stderr.contains(
                "temp-fix.yaml:3:15: revert-after: expected a duration such as 2h or 30m, or 'offered'"),
            "\(lint.stderr)")
    }

    @Test func dockerMirrorAndOpenKubeletPortOfferIt() throws {
        for id in ["docker-mirror", "open-kubelet-port"] {
            let path = QuotaPlaybooksTests.playbooks.appendingPathComponent("\(id).yaml").path
            #expect(try PlaybookLoader.load(path: path).revertAfter == "offered", "\(id)")
        }
        let change = FileChange(
            host: "control", path: "/etc/docker/daemon.json", before: Data("{}\n".utf8),
            after: Data("{\"a\": 1}\n".utf8),
            beforeMeta: nil, afterMeta: nil)
        var plan = Plan(
            playbook: "docker-mirror", cases: [], title: Localized(zh: "t", en: "t"), params: [:],
            changes: [.file(change)], verify: [], notes: [], pins: [])
        plan.revertAfter = "offered"
        #expect(
            PlanRenderer.render(plan, language: .en, color: false).contains(
                "can be made temporary: apply --revert-after 30m reverts it after 30 minutes unless `bkfix confirm RUN`"
            ))
    }
}
