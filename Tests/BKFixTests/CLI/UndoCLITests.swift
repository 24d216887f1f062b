import Foundation
import Testing

@testable import BKFix

/// Issue 8 as a new user meets it: `raise-quota -p release=bk-mysql` destroys the release, then its sync fails, is
/// killed with -9, or is stopped with Ctrl-C; rollback (or `recover --undo`) must always end with the values file
/// restored byte for byte and the release synced again from it. The stand-in helmfile signals bkfix itself at the
/// right moment, so nothing here depends on timing.
@Suite struct UndoCLITests {
    static let values = "/data/bkce/blueking/environments/default/mysql-custom-values.yaml.gotmpl"
    static let destroy = "helmfile -f base-storage.yaml.gotmpl -l name=bk-mysql destroy"
    static let sync = "helmfile -f base-storage.yaml.gotmpl -l name=bk-mysql sync"
    static let why = "bk-mysql was destroyed by run"

    /// The fixture work dir at /data/bkce/blueking, stand-in helmfile and kubectl on PATH.
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.installWorkDirFixture()
        return s
    }

    func env(_ s: CLISandbox, _ extra: [String: String] = [:]) -> [String: String] {
        var env = [
            "BKFIX_STANDIN_LOG": s.callsLog, "BKFIX_HELMFILE_WATCH": s.root + Self.values,
            "BKFIX_KUBECTL_JSON": Fixtures.url("workdir/standins/es-pods-doubled.json").path,
        ]
        for (k, v) in extra { env[k] = v }
        return env
    }

    func bkfix(_ s: CLISandbox, _ args: [String], _ extra: [String: String] = [:]) async throws -> ProcessOutput {
        try await s.bkfix(args + ["--install-dir", "/data/bkce"], env: env(s, extra))
    }

    /// The helmfile calls so far, without their working directory.
    func helmfile(_ s: CLISandbox) -> [String] {
        s.calls.filter { $0.contains("\thelmfile") }.map { String($0.split(separator: "\t").last ?? "") }
    }

    /// "<action> <sha256 of the values file then>" per helmfile call.
    func watched(_ s: CLISandbox) -> [String] {
        ((try? String(contentsOfFile: s.callsLog + ".watch", encoding: .utf8)) ?? "").split(separator: "\n")
            .map(String.init)
    }

    /// Runs the apply that breaks (`extra` makes the sync fail or signal bkfix) and returns its run id.
    func breakingApply(
        _ s: CLISandbox, _ extra: [String: String], status: Int32, calls: [String] = [destroy, sync]
    ) async throws -> String {
        let apply = ["apply", "raise-quota", "-p", "release=bk-mysql", "--yes"]
        let r = try await bkfix(s, apply, extra)
        #expect(r.status == status, "\(r.stderr)")
        #expect(helmfile(s) == calls)
        #expect(s.read(Self.values) != nil)
        let runs = try await s.historyRuns()
        if let id = runs.first?["id"] as? String, runs.first?["kind"] as? String == "apply" { return id }
        // Killed: the run is only in its journal; status names it.
        let status = try await s.bkfix(["status", "--json"])
        let pending = try #require(try CLISandbox.json(status.stdout)["interrupted"] as? [[String: Any]])
        return try #require(pending.first?["run"] as? String)
    }

    /// The end every path must reach: the values file as before (bytes and mode) and, after the destroy, a sync run
    /// from the restored values.
    func expectRestoredAndSynced(_ s: CLISandbox, original: Data, since: Int) {
        #expect(s.read(Self.values) == original)
        #expect(s.mode(Self.values) == 0o644)
        #expect(Array(helmfile(s).dropFirst(since)) == [Self.sync])
        #expect(watched(s).last == "sync \(SHA256.hex(original))")
    }

    @Test func aFailedSyncIsFollowedInTheRollbackBySyncingTheReleaseFromTheRestoredValues() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let original = try #require(s.read(Self.values))
        let run = try await breakingApply(s, ["BKFIX_HELMFILE_FAIL_SYNC": "1"], status: 1)
        let dry = try await bkfix(s, ["rollback", run, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let expected =
            "note: \(Self.why) \(run); then sync release bk-mysql failed (exit status 1); syncing bk-mysql again "
            + "from the restored values"
        #expect(dry.stdout.contains(expected), "\(dry.stdout)")
        #expect(dry.stdout.contains("$ \(Self.sync)  [compensating]"))
        #expect(dry.stdout.contains("these commands cannot be undone:\n  \(Self.destroy) [irreversible]"))
        #expect(dry.stdout.contains("1 file, 1 command (1 compensating) on 1 host"))
        let json = try CLISandbox.json(try await bkfix(s, ["rollback", run, "--dry-run", "--json"]).stdout)
        #expect((json["notes"] as? [String])?.first?.hasPrefix("\(Self.why) \(run)") == true)
        let rollback = try await bkfix(s, ["rollback", run, "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        expectRestoredAndSynced(s, original: original, since: 2)
    }

    @Test func aRollbackWhoseCompensationFailsSaysWhatIsLeftAndCanBeRetriedOnce() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let original = try #require(s.read(Self.values))
        let run = try await breakingApply(s, ["BKFIX_HELMFILE_FAIL_SYNC": "1"], status: 1)
        let none = try await bkfix(s, ["rollback", run, "--retry", "--yes", "--json"])
        #expect(none.status == 3)
        #expect((try CLISandbox.json(none.stdout)["error"] as? [String: Any])?["code"] as? String == "nothing-to-retry")

        let failed = try await bkfix(s, ["rollback", run, "--yes", "--json"], ["BKFIX_HELMFILE_FAIL_SYNC": "1"])
        #expect(failed.status == 1)
        let doc = try CLISandbox.json(failed.stdout)
        #expect(doc["status"] as? String == "failed")
        let error = try #require(doc["error"] as? String)
        #expect(error.contains("\(Self.why) \(run), and it is not restored: `\(Self.sync)` failed (exit status 1)"))
        #expect(error.contains("the files are back to their content from before run \(run)"))
        #expect(error.contains("retry: bkfix rollback \(run) --retry"))
        #expect(s.read(Self.values) == original)
        let failedID = try #require(doc["run"] as? String)

        // Retried by the failed rollback's id: the file is already back, the sync runs again.
        let retry = try await bkfix(s, ["rollback", failedID, "--retry", "--yes"])
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stdout.contains("already has its content from before run \(run)"), "\(retry.stdout)")
        #expect(retry.stdout.contains("retrying: rollback \(failedID) of this run ended failed"))
        #expect(retry.stdout.contains("0 files, 1 command (1 compensating) on 1 host"))
        expectRestoredAndSynced(s, original: original, since: 3)

        // Once it succeeded: no second rollback, no rollback of a rollback.
        let twice = try await bkfix(s, ["rollback", run, "--yes"])
        #expect(twice.status == 3)
        #expect(twice.stderr.contains("was already rolled back by run"), "\(twice.stderr)")
        let runs = try await s.historyRuns()
        let done = try #require(runs.first?["id"] as? String)
        let ofRollback = try await bkfix(s, ["rollback", done, "--yes"])
        #expect(ofRollback.status == 3)
        #expect(ofRollback.stderr.contains("it is itself a rollback"), "\(ofRollback.stderr)")
        #expect(runs.map { $0["status"] as? String } == ["applied", "failed", "failed"])
    }

    @Test func killedDuringTheSyncRecoverUndoEndsTheSameWay() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let original = try #require(s.read(Self.values))
        let run = try await breakingApply(s, ["BKFIX_HELMFILE_SIGNAL_SYNC": "KILL"], status: 9)
        let blocked = try await bkfix(s, ["apply", "raise-quota", "-p", "release=bk-mysql", "--yes"])
        #expect(blocked.status == 3)
        #expect(blocked.stderr.contains("run \(run) was interrupted"), "\(blocked.stderr)")

        // Confirmed like apply: without a TTY and without --yes it is refused, and nothing is recorded or changed.
        let refused = try await bkfix(s, ["recover", "--undo"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("pass --yes to confirm"), "\(refused.stderr)")
        #expect(refused.stdout.contains("was running (outcome unknown)  \(Self.sync)"), "\(refused.stdout)")
        #expect(refused.stdout.contains("note: \(Self.why) \(run); then sync release bk-mysql was running when bkfix"))
        #expect(try await s.bkfix(["status"]).stdout.contains("interrupted run: \(run)"))
        #expect(s.read(Self.values) != original)

        let r = try await bkfix(s, ["recover", "--undo", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("recovered run \(run) (raise-quota): recorded as interrupted"), "\(r.stdout)")
        #expect(r.stdout.contains("undone by recover: run"))
        expectRestoredAndSynced(s, original: original, since: 2)
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
        let runs = try await s.historyRuns()
        #expect(runs.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs.first?["rollbackOf"] as? String == run)
        let shown = try CLISandbox.json(try await s.bkfix(["show", run, "--json"]).stdout)
        #expect((shown["error"] as? String)?.contains("undone by recover") == true)
        let undone = try CLISandbox.json(try await s.bkfix(["show", runs[0]["id"] as! String, "--json"]).stdout)
        #expect((undone["notes"] as? [String])?.contains("undone by recover") == true)
        // A new apply goes through (its verify reads the stand-in's elasticsearch pods, hence verify-failed).
        let again = try await bkfix(s, ["apply", "raise-quota", "-p", "release=bk-mysql", "--yes", "--json"])
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "verify-failed", "\(again.stderr)")
        #expect(Array(helmfile(s).suffix(2)) == [Self.destroy, Self.sync])
    }

    @Test func ctrlCDuringTheSyncThenRollbackEndsTheSameWay() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let original = try #require(s.read(Self.values))
        let run = try await breakingApply(s, ["BKFIX_HELMFILE_SIGNAL_SYNC": "INT"], status: 130)
        let shown = try CLISandbox.json(try await s.bkfix(["show", run, "--json"]).stdout)
        #expect(shown["status"] as? String == "interrupted")
        let commands = try #require(shown["commands"] as? [[String: Any]])
        #expect(commands.map { $0["status"] as? String } == ["done", "unknown"])
        let rollback = try await bkfix(s, ["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(rollback.stdout.contains("sync release bk-mysql was stopped when bkfix was interrupted"))
        expectRestoredAndSynced(s, original: original, since: 2)
    }

    @Test func recoverShowsPerHostAndStepWhatWasDoneRunningAndNeverStarted() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let run = try await breakingApply(
            s, ["BKFIX_HELMFILE_SIGNAL_DESTROY": "KILL"], status: 9, calls: [Self.destroy])
        let r = try await bkfix(s, ["recover", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let recovered = try #require((try CLISandbox.json(r.stdout)["recovered"] as? [[String: Any]])?.first)
        #expect(recovered["run"] as? String == run)
        let steps = try #require(recovered["steps"] as? [[String: Any]])
        #expect(steps.map { $0["host"] as? String } == ["control", "control", "control"])
        #expect(steps.map { $0["type"] as? String } == ["file", "command", "command"])
        #expect(steps.map { $0["status"] as? String } == ["done", "unknown", "skipped"])
        #expect(steps.map { $0["phrase"] as? String } == ["done", "was running (outcome unknown)", "never started"])
        // Recorded now: the destroy that may have run is compensated by a plain rollback too.
        let dry = try await bkfix(s, ["rollback", run, "--dry-run"])
        #expect(dry.stdout.contains("note: \(Self.why) \(run) (it was running when bkfix died (outcome unknown))"))
        #expect(dry.stdout.contains("then sync release bk-mysql never started"), "\(dry.stdout)")
        #expect(try await bkfix(s, ["recover", "--yes"]).status == 64)
    }

    @Test func aBadReleaseOrAnOctalLookingIPIsABadParameter() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        for args in [
            ["plan", "raise-quota", "-p", "release=bk-nope"], ["apply", "hub-hosts", "-p", "ip=010.0.0.9", "--yes"],
        ] {
            let r = try await bkfix(s, args + ["--json"])
            #expect(r.status == 2, "\(args): \(r.stdout)")
            let error = try #require(try CLISandbox.json(r.stdout)["error"] as? [String: Any])
            #expect(error["code"] as? String == "bad-parameter", "\(args)")
        }
        let ip = try await bkfix(s, ["apply", "hub-hosts", "-p", "ip=010.0.0.9", "--yes"])
        #expect(ip.stderr.contains("parameter ip"), "\(ip.stderr)")
        #expect(!ip.stderr.contains("/etc/hosts"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }
}

extension UndoCLITests {
    @Test func aRollbackKilledInItsSyncIsFinishedByRecoverUndoNeverRolledBack() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let original = try #require(s.read(Self.values))
        let run = try await breakingApply(s, ["BKFIX_HELMFILE_FAIL_SYNC": "1"], status: 1)
        let killed = try await bkfix(s, ["rollback", run, "--yes"], ["BKFIX_HELMFILE_SIGNAL_SYNC": "KILL"])
        #expect(killed.status == 9)
        #expect(s.read(Self.values) == original)
        let r = try await bkfix(s, ["recover", "--undo", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("interrupted run"), "\(r.stdout)")
        expectRestoredAndSynced(s, original: original, since: 3)
        let runs = try await s.historyRuns()
        #expect(runs.map { $0["kind"] as? String } == ["rollback", "rollback", "apply"])
        #expect(runs.map { $0["status"] as? String } == ["applied", "interrupted", "failed"])
        #expect(runs.first?["rollbackOf"] as? String == run)
        #expect(runs.last?["rolledBackBy"] as? String == runs.first?["id"] as? String)
    }
}

extension UndoCLITests {
    @Test func aCommandStepsIrreversibleCommandIsCompensatedByItsDeclaredUndo() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        try s.standIn(
            "helm", answers: ["uninstall bk-redis -n blueking": ("release uninstalled\n", 0), "sync": ("synced\n", 0)])
        let dir = s.sandboxPath("playbooks")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        id: uninstall
        title: {zh: 卸载, en: uninstall a release}
        steps:
          - command: {argv: [helm, uninstall, bk-redis, -n, blueking], risk: irreversible, confirm: bk-redis, undo: [[helm, sync]]}

        """.write(toFile: dir + "/uninstall.yaml", atomically: true, encoding: .utf8)
        let applied = try CLISandbox.json(
            try await s.bkfix(["apply", "uninstall", "--playbooks", dir, "--yes", "--json"]).stdout)
        let run = try #require(applied["run"] as? String)
        let dry = try await s.bkfix(["rollback", run, "--dry-run"])
        #expect(dry.stdout.contains("$ helm sync  [compensating]"), "\(dry.stdout)")
        let why = "note: `helm uninstall bk-redis -n blueking` ran in run \(run); compensating with `helm sync`"
        #expect(dry.stdout.contains(why))
        #expect(try await s.bkfix(["rollback", run, "--yes"]).status == 0)
        #expect(s.calls == ["helm uninstall bk-redis -n blueking", "helm sync"])
    }
}
