import Foundation
import Testing

@testable import BKFix

/// `localpv-space` through the binary: the real `df` on each node's localpv folder (its free space is whatever the
/// test machine's disk has, so the claims are sized to fit any disk: 1Gi fits, 100Ti never does), the fixture work
/// dir on the control machine, and stand-in kubectl and helmfile that bind the claims once the release is synced.
@Suite struct LocalPVSpaceCLITests {
    static let custom = "/data/bkce/blueking/environments/default/mysql-custom-values.yaml.gotmpl"
    static let destroy = "helmfile -f base-storage.yaml.gotmpl -l name=bk-mysql destroy"
    static let sync = "helmfile -f base-storage.yaml.gotmpl -l name=bk-mysql sync"
    static let deletePVC = "kubectl delete pvc -n blueking data-bk-mysql-mysql-0"

    static func claim(_ name: String, release: String, request: String, phase: String) -> String {
        #"{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"\#(name)","namespace":"blueking","labels":{"app.kubernetes.io/instance":"\#(release)","app.kubernetes.io/component":"primary"}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"\#(request)"}},"storageClassName":"local-storage","volumeMode":"Filesystem"},"status":{"phase":"\#(phase)"}}"#
    }

    static func list(_ items: [String]) -> String {
        #"{"apiVersion":"v1","items":["# + items.joined(separator: ",")
            + #"],"kind":"List","metadata":{"resourceVersion":""}}"# + "\n"
    }

    /// The work dir (with `localpv.hostDir: /data/localpv`), the localpv folder on node-1 only, and the stand-ins.
    func world(unreachable: String? = nil) throws -> NodeWorld {
        let w = try NodeWorld(unreachable: unreachable)
        for (path, text) in try WorkDirFixture.files("bkce70") { try w.write("control", path, text) }
        try w.write(
            "control", "/data/bkce/blueking/environments/default/custom.yaml", "localpv:\n  hostDir: /data/localpv\n")
        try FileManager.default.createDirectory(
            atPath: w.root("node-1") + "/data/localpv", withIntermediateDirectories: true)
        let pending = Self.list([
            Self.claim("data-bk-mysql-mysql-0", release: "bk-mysql", request: "100Ti", phase: "Pending"),
            Self.claim("redis-data-bk-redis-master-0", release: "bk-redis", request: "1Gi", phase: "Pending"),
        ])
        let bound = Self.list([
            Self.claim("data-bk-mysql-mysql-0", release: "bk-mysql", request: "30Gi", phase: "Bound"),
            Self.claim("redis-data-bk-redis-master-0", release: "bk-redis", request: "1Gi", phase: "Bound"),
        ])
        for (name, text) in [("pending", pending), ("bound", bound)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: w.stateDir("control") + "/\(name).json"))
        }
        try w.setState("control", "claims", "pending")
        try w.standIn(
            "kubectl", on: "control",
            [
                ("get pvc -A -o json", "    cat \"$STATE/$(cat \"$STATE/claims\").json\"; exit 0"),
                ("delete pvc -n blueking data-bk-mysql-mysql-0", "    echo 'persistentvolumeclaim deleted'; exit 0"),
            ])
        try w.standIn(
            "helmfile", on: "control",
            [
                ("-f base-storage.yaml.gotmpl -l name=bk-mysql destroy", "    echo 'Deleting bk-mysql'; exit 0"),
                (
                    "-f base-storage.yaml.gotmpl -l name=bk-mysql sync",
                    "    echo bound > \"$STATE/claims\"; echo 'UPDATED RELEASES: bk-mysql'; exit 0"
                ),
            ])
        return w
    }

    func mutating(_ calls: [String]) -> [String] { calls.filter { !$0.hasSuffix("get pvc -A -o json") } }

    @Test func withoutReleaseAndSizeItShowsWhichNodeHoldsWhichClaimAndChangesNothing() async throws {
        let w = try world()
        defer { w.cleanup() }
        let plan = try await w.bkfix(["plan", "localpv-space", "--install-dir", "/data/bkce"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let out = plan.stdout
        #expect(out.contains("note: localpv node-1: /data/localpv has "), "\(out)")
        #expect(out.contains("localpv node-1: can hold blueking/redis-data-bk-redis-master-0 (1Gi)"), "\(out)")
        #expect(out.contains("localpv node-1: cannot hold blueking/data-bk-mysql-mysql-0 (100Ti): "), "\(out)")
        #expect(out.contains(" GiB missing"))
        #expect(out.contains("localpv node-2: /data/localpv does not exist; it holds no claim"))
        #expect(out.contains("nothing changed; to lower a release's volume size, give -p release=... -p size=..."))
        #expect(out.contains("no changes"))
        #expect(mutating(w.calls).isEmpty, "\(w.calls)")

        let one = try await w.bkfix(["plan", "localpv-space", "-p", "release=bk-redis", "--install-dir", "/data/bkce"])
        #expect(one.stdout.contains("can hold blueking/redis-data-bk-redis-master-0"), "\(one.stdout)")
        #expect(!one.stdout.contains("data-bk-mysql-mysql-0"))
        #expect(one.stdout.contains("give -p release=bk-redis -p size=..."))
    }

    @Test func releaseAndSizeLowerTheCustomValuesSizeAndRedeployAndRollBack() async throws {
        let w = try world()
        defer { w.cleanup() }
        let args = ["-p", "release=bk-mysql", "-p", "size=30Gi", "--install-dir", "/data/bkce"]
        let before = try #require(w.read("control", Self.custom))
        let plan = try await w.bkfix(["plan", "localpv-space"] + args)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("-    size: 100Gi   # 数据盘扩容"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+    size: 30Gi   # 数据盘扩容"))
        #expect(plan.stdout.contains("bk-mysql: master.persistence.size 100Gi → 30Gi"))
        #expect(plan.stdout.contains("$ \(Self.destroy)  [irreversible]"))
        #expect(plan.stdout.contains("$ \(Self.deletePVC)  [irreversible]"))
        #expect(plan.stdout.contains("$ \(Self.sync)  [compensating]"))
        #expect(mutating(w.calls).isEmpty, "\(w.calls)")

        let apply = try await w.bkfix(["apply", "localpv-space", "--yes", "--json"] + args)
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "pvc-bound")
        #expect(verify["ok"] as? Bool == true)
        #expect(mutating(w.calls) == ["control " + Self.destroy, "control " + Self.deletePVC, "control " + Self.sync])
        #expect(w.read("control", Self.custom) == before.replacingOccurrences(of: "100Gi", with: "30Gi"))

        let again = try await w.bkfix(["apply", "localpv-space", "--yes", "--json"] + args)
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "no-changes", "\(again.stdout)")

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(w.read("control", Self.custom) == before)
        #expect(mutating(w.calls).last == "control " + Self.sync)
        #expect(rollback.stdout.contains(Self.deletePVC), "listed as not undoable: \(rollback.stdout)")

        let bigger = try await w.bkfix([
            "plan", "localpv-space", "-p", "release=bk-mysql", "-p", "size=200Gi", "--install-dir", "/data/bkce",
        ])
        #expect(bigger.status == 2)
        #expect(bigger.stderr.contains("master.persistence.size is 100Gi; 200Gi is not smaller"), "\(bigger.stderr)")
    }

    @Test func anUnreachableNodeStopsThePlanUnlessKeepGoing() async throws {
        let w = try world(unreachable: "node-3")
        defer { w.cleanup() }
        let args = ["-p", "release=bk-mysql", "-p", "size=30Gi", "--install-dir", "/data/bkce", "--yes"]
        let strict = try await w.bkfix(["apply", "localpv-space"] + args)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("node-3"), "\(strict.stderr)")
        #expect(mutating(w.calls).isEmpty)

        let going = try await w.bkfix(["apply", "localpv-space", "--keep-going", "--json"] + args)
        #expect(going.status == 1, "\(going.stdout) \(going.stderr)")
        #expect(try CLISandbox.json(going.stdout)["status"] as? String == "failed")
        #expect(mutating(w.calls) == ["control " + Self.destroy, "control " + Self.deletePVC, "control " + Self.sync])
    }
}
