import Foundation
import Testing

/// localpv-sync through the real binary on a temp root (issue #4). The cluster is a pair of stand-ins:
/// `helmfile ... sync` installs localpv (a marker file), after which `kubectl get sc` shows its default class;
/// `helmfile ... destroy` removes it again.
@Suite struct LocalPVSyncCLITests {
    static let installDir = "/root/bkce7.1-install"
    static var workDir: String { installDir + "/blueking" }
    static let sync = "helmfile -f 00-localpv.yaml.gotmpl sync"
    static let destroy = "helmfile -f 00-localpv.yaml.gotmpl destroy"
    static let noPVs = #"{"apiVersion": "v1", "items": [], "kind": "List"}"#

    /// A root with the BlueKing work dir; `classes` is what `kubectl get sc` shows before localpv is installed.
    func sandbox(classes: String = "host/k8s/sc-empty.json", pvs: String? = nil) throws -> CLISandbox {
        let s = try CLISandbox()
        try s.refuseAllTools()
        try s.write(
            Self.workDir + "/00-localpv.yaml.gotmpl", "releases:\n  - name: localpv\n    namespace: kube-system\n")
        let pvFile = s.sandboxPath("pv.json")
        try Data((try pvs.map(Fixtures.text) ?? Self.noPVs).utf8).write(to: URL(fileURLWithPath: pvFile))
        let marker = "\"$SANDBOX/localpv-installed\""
        try s.scriptedStandIn(
            "kubectl",
            cases: [
                (
                    "get sc -o json",
                    """
                        if [ -f \(marker) ]; then cat '\(Fixtures.url("host/k8s/sc-default.json").path)'
                        else cat '\(Fixtures.url(classes).path)'; fi
                        exit 0
                    """
                ),
                ("get pv -o json", "    cat '\(pvFile)'\n    exit 0"),
            ])
        try s.scriptedStandIn(
            "helmfile",
            cases: [
                (
                    "-f 00-localpv.yaml.gotmpl sync",
                    """
                        pwd >> "$SANDBOX/helmfile-workdirs"
                        echo 'Building dependency release=localpv, chart=blueking/localpv'
                        echo 'UPDATED RELEASES:'
                        echo 'NAME      CHART               VERSION'
                        echo 'localpv   blueking/localpv    3.0.0'
                        touch \(marker)
                        exit 0
                    """
                ),
                (
                    "-f 00-localpv.yaml.gotmpl destroy",
                    """
                        pwd >> "$SANDBOX/helmfile-workdirs"
                        rm -f \(marker)
                        echo 'DELETED RELEASES:'
                        echo 'localpv'
                        exit 0
                    """
                ),
            ])
        return s
    }

    func run(_ s: CLISandbox, _ args: [String]) async throws -> ProcessOutput {
        try await s.bkfix(args + ["--install-dir", Self.installDir])
    }

    func workdirs(_ s: CLISandbox) -> [String] {
        ((try? String(contentsOfFile: s.sandboxPath("helmfile-workdirs"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    @Test func planShowsTheSyncAndItsIrreversibleUndoAndChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let r = try await run(s, ["plan", "localpv-sync"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("note: the cluster has no StorageClass"))
        #expect(r.stdout.contains("$ \(Self.sync)  [reversible]  (in \(Self.workDir))"))
        #expect(r.stdout.contains("undo: \(Self.destroy)"))
        #expect(r.stdout.contains("0 files, 1 command (1 reversible) on 1 host"))
        #expect(s.calls == ["kubectl get sc -o json", "kubectl get pv -o json"])
        #expect(s.mutatingCalls.isEmpty)
        #expect(s.rootUnchanged(since: before))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
        let doc = try CLISandbox.json(try await run(s, ["plan", "localpv-sync", "--json"]).stdout)
        let command = try #require((doc["changes"] as? [[String: Any]])?.first)
        #expect(command["workdir"] as? String == Self.workDir)
        #expect(command["undo"] as? [[String]] == [["helmfile", "-f", "00-localpv.yaml.gotmpl", "destroy"]])
    }

    @Test func existingPersistentVolumesAreWarnedAboutBeforeTheyCouldBeOrphaned() async throws {
        let s = try sandbox(classes: "host/k8s/sc-nodefault.json", pvs: "host/k8s/pv-list.json")
        defer { s.cleanup() }
        let r = try await run(s, ["plan", "localpv-sync"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("no StorageClass is the default: nfs-client"))
        #expect(
            r.stdout.contains(
                "rollback destroys localpv: 2 PersistentVolumes exist (local-pv-2c8f1a3b, local-pv-91d04e7c)"))
    }

    @Test func applySyncsInTheWorkDirRecordsTheOutputAndVerifiesTheDefaultClass() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await run(s, ["apply", "localpv-sync", "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let runID = try #require(try CLISandbox.json(r.stdout)["run"] as? String)
        #expect(s.calls.filter { $0.hasPrefix("helmfile") } == [Self.sync])
        #expect(workdirs(s) == [s.root + Self.workDir])
        let shown = try CLISandbox.json(try await run(s, ["show", runID, "--json"]).stdout)
        let verify = try #require((shown["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "default-storageclass")
        #expect(verify["ok"] as? Bool == true)
        #expect(verify["detail"] as? String == "default StorageClass local-storage")
        let command = try #require((shown["commands"] as? [[String: Any]])?.first)
        #expect(command["workdir"] as? String == Self.workDir)
        #expect(command["risk"] as? String == "reversible")
        let result = try #require(command["result"] as? [String: Any])
        #expect((result["stdout"] as? String)?.contains("UPDATED RELEASES:") == true)
        #expect(result["exitCode"] as? Int == 0)
        let text = try await run(s, ["show", runID])
        #expect(text.stdout.contains("verify default-storageclass on control: ok"))
    }

    @Test func applyingAgainFindsTheDefaultClassAndDoesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await run(s, ["apply", "localpv-sync", "--yes"]).status == 0)
        let again = try await run(s, ["apply", "localpv-sync", "--yes", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "no-changes")
        #expect(s.calls.filter { $0.hasPrefix("helmfile") } == [Self.sync])
        let plan = try await run(s, ["plan", "localpv-sync"])
        #expect(plan.stdout.contains("default StorageClass local-storage (kubernetes.io/no-provisioner) exists"))
        #expect(try await s.historyRuns().count == 1)
    }

    @Test func rollbackDestroysTheReleaseAndIsRecorded() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let applied = try CLISandbox.json(try await run(s, ["apply", "localpv-sync", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let dry = try await run(s, ["rollback", runID, "--dry-run"])
        #expect(dry.stdout.contains("$ \(Self.destroy)  [irreversible]  (in \(Self.workDir))"), "\(dry.stdout)")
        #expect(!s.calls.contains(Self.destroy))
        // Without --yes and without a TTY the irreversible destroy is refused.
        let refused = try await run(s, ["rollback", runID])
        #expect(refused.status == 3)
        #expect(!s.calls.contains(Self.destroy))
        let rb = try await run(s, ["rollback", runID, "--yes", "--json"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(s.calls.filter { $0.hasPrefix("helmfile") } == [Self.sync, Self.destroy])
        #expect(workdirs(s) == [s.root + Self.workDir, s.root + Self.workDir])
        #expect(!FileManager.default.fileExists(atPath: s.sandboxPath("localpv-installed")))
        #expect(s.rootUnchanged(since: before))
        let runs = try await s.historyRuns()
        #expect(runs.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs[0]["rollbackOf"] as? String == runID)
        #expect(runs[1]["case"] as? String == "no-storage-class")
        #expect(runs[1]["rolledBackBy"] as? String == runs[0]["id"] as? String)
    }

    @Test func aFailingKubectlStopsThePlanNamingTheCommand() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.standIn("kubectl", answers: ["get sc -o json": ("", 1)])
        let r = try await run(s, ["plan", "localpv-sync"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("`kubectl get sc -o json` failed (exit 1)"), "\(r.stderr)")
    }
}
