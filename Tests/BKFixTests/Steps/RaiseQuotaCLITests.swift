import Foundation
import Testing

@testable import BKFix

/// raise-quota through the real binary on a copy of the fixture work dir, with stand-in `helmfile` and `kubectl`
/// that log "cwd<TAB>argv". Enabled once the quota kinds are in `StepRegistry`.
@Suite(.enabled(if: StepRegistry.step(named: "raise-quota") != nil && StepRegistry.check(named: "pod-limits") != nil))
struct RaiseQuotaCLITests {
    static let custom = "/data/bkce/blueking/environments/default/elasticsearch-custom-values.yaml.gotmpl"
    static let destroy = "/data/bkce/blueking\thelmfile -f base-storage.yaml.gotmpl -l name=bk-elastic destroy"
    static let sync = "/data/bkce/blueking\thelmfile -f base-storage.yaml.gotmpl -l name=bk-elastic sync"

    /// A sandbox holding the fixture work dir at /data/bkce/blueking and the stand-ins on PATH.
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.installWorkDirFixture()
        return s
    }

    func env(_ s: CLISandbox, failSync: Bool = false) -> [String: String] {
        var env = [
            "BKFIX_STANDIN_LOG": s.callsLog,
            "BKFIX_KUBECTL_JSON": Fixtures.url("workdir/standins/es-pods-doubled.json").path,
        ]
        if failSync { env["BKFIX_HELMFILE_FAIL_SYNC"] = "1" }
        return env
    }

    /// Stand-in calls with the sandbox root stripped from the working directory.
    func calls(_ s: CLISandbox) -> [String] { s.calls.map { $0.replacingOccurrences(of: s.root, with: "") } }

    func args(_ verb: String, _ extra: [String] = []) -> [String] {
        [verb, "raise-quota", "-p", "release=bk-elastic", "--install-dir", "/data/bkce"] + extra
    }

    @Test func planShowsTheDocsDiffAndBothCommandsAndCallsNoStandIn() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let plan = try await s.bkfix(args("plan"), env: env(s))
        #expect(plan.status == 0, "\(plan.stderr)")
        for line in ["+master:", "+      cpu: 2000m", "+      memory: 4096Mi", "+      memory: 1024Mi"] {
            #expect(plan.stdout.contains(line), "missing \(line) in \(plan.stdout)")
        }
        #expect(plan.stdout.contains("helmfile -f base-storage.yaml.gotmpl -l name=bk-elastic destroy"))
        #expect(plan.stdout.contains("helmfile -f base-storage.yaml.gotmpl -l name=bk-elastic sync"))
        #expect(s.calls.isEmpty)
        #expect(s.read(Self.custom) == nil)
    }

    @Test func applyWritesTheFileThenDestroysAndSyncsInTheWorkDirThenVerifies() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try await s.bkfix(args("apply", ["--yes", "--json"]), env: env(s))
        #expect(applied.status == 0, "\(applied.stderr)")
        let doc = try CLISandbox.json(applied.stdout)
        #expect(doc["status"] as? String == "applied")
        let helmfileCalls = calls(s).filter { $0.contains("helmfile") }
        #expect(helmfileCalls == [Self.destroy, Self.sync])
        #expect(
            calls(s).last?.contains("kubectl get pod -n blueking -l app.kubernetes.io/instance=bk-elastic -o json")
                == true)
        #expect(s.readText(Self.custom)?.hasPrefix("master:\n  resources:\n    limits:\n      cpu: 2000m\n") == true)
        #expect(s.mode(Self.custom) == 0o644)
    }

    @Test func failingSyncRecordsFailedKeepsTheFileAndRollsBack() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try await s.bkfix(args("apply", ["--yes", "--json"]), env: env(s, failSync: true))
        let doc = try CLISandbox.json(applied.stdout)
        #expect(doc["status"] as? String == "failed")
        let runID = try #require(doc["run"] as? String)
        #expect(s.read(Self.custom) != nil)
        let rollback = try await s.bkfix(["rollback", runID, "--yes"], env: env(s))
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(s.read(Self.custom) == nil)
    }

    @Test func rollbackRemovesTheCreatedFileThenResyncs() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let doc = try CLISandbox.json(try await s.bkfix(args("apply", ["--yes", "--json"]), env: env(s)).stdout)
        let runID = try #require(doc["run"] as? String)
        let before = calls(s).count
        let rollback = try await s.bkfix(["rollback", runID, "--yes"], env: env(s))
        #expect(rollback.status == 0, "\(rollback.stderr)")
        #expect(s.read(Self.custom) == nil)
        #expect(Array(calls(s).dropFirst(before)) == [Self.sync])
    }

    @Test func rollbackRestoresAnExistingCustomValuesFileByteForByte() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let path = "/data/bkce/blueking/environments/default/mysql-custom-values.yaml.gotmpl"
        let original = try #require(s.read(path))
        let mysql = ["-p", "release=bk-mysql", "--install-dir", "/data/bkce", "--yes", "--json"]
        let doc = try CLISandbox.json(try await s.bkfix(["apply", "raise-quota"] + mysql, env: env(s)).stdout)
        let runID = try #require(doc["run"] as? String)
        #expect(s.read(path) != original)
        #expect(try await s.bkfix(["rollback", runID, "--yes"], env: env(s)).status == 0)
        #expect(s.read(path) == original)
    }

    /// The loop of SPEC §3 from a log whose helm error names only a timeout: the pod listing below it starts too
    /// slowly, so raise-quota is planned for that pod's release, which the surrounding lines name.
    @Test func fixFromALogRaisesTheQuotaOfTheReleaseTheTextNames() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let log = s.dir.appendingPathComponent("timeout.log").path
        try FileManager.default.copyItem(
            atPath: Fixtures.url("diag/derive/start-timeout-outranks-timeout.log").path, toPath: log)
        let fixed = try await s.bkfix(["fix", log, "--install-dir", "/data/bkce", "--yes", "--json"], env: env(s))
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let doc = try CLISandbox.json(fixed.stdout)
        let runID = try #require(doc["run"] as? String)
        let shown = try CLISandbox.json(try await s.bkfix(["show", runID, "--json"], env: env(s)).stdout)
        #expect(shown["playbook"] as? String == "raise-quota")
        #expect(shown["cases"] as? [String] == ["pod-start-timeout"])
        #expect((shown["params"] as? [String: Any])?["release"] as? String == "bk-elastic")
        #expect(s.read(Self.custom) != nil)
        #expect(calls(s).contains(Self.destroy) && calls(s).contains(Self.sync))
    }

    @Test func resyncReleaseDestroysThenSyncsWithTheHelmfileFoundOrGiven() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let base = ["apply", "resync-release", "-p", "release=bk-elastic", "--install-dir", "/data/bkce", "--yes"]
        #expect(try await s.bkfix(base, env: env(s)).status == 0)
        #expect(calls(s) == [Self.destroy, Self.sync])
        let given = try await s.bkfix(base + ["-p", "helmfile=base.yaml.gotmpl"], env: env(s))
        #expect(given.status == 0, "\(given.stderr)")
        #expect(calls(s).suffix(2).allSatisfy { $0.contains("helmfile -f base.yaml.gotmpl -l name=bk-elastic") })
    }
}
