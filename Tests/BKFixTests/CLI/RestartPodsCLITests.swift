import Foundation
import Testing

@testable import BKFix

/// `restart-pods` through the binary with a stand-in kubectl whose pods change when they are deleted: the crashing
/// ones are replaced by new pods that are not Ready at the first look and Ready after.
@Suite struct RestartPodsCLITests {
    /// One pod of `kubectl get pod -o json`.
    static func pod(
        _ name: String, namespace: String = "blueking", owner: String? = "ReplicaSet", ready: Bool,
        waiting: String? = nil, restarts: Int = 0
    ) -> String {
        let owners =
            owner.map {
                #","ownerReferences":[{"apiVersion":"apps/v1","kind":"\#($0)","name":"bk-repo-gateway-6c8b9f7d5","controller":true}]"#
            } ?? ""
        let state =
            waiting.map { #"{"waiting":{"reason":"\#($0)","message":"back-off 5m0s restarting failed container"}}"# }
            ?? #"{"running":{"startedAt":"2024-12-05T06:00:00Z"}}"#
        return #"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(name)","namespace":"\#(namespace)","labels":{"app.kubernetes.io/instance":"bk-repo","app.kubernetes.io/component":"gateway"}\#(owners)},"status":{"phase":"Running","containerStatuses":[{"name":"gateway","ready":\#(ready),"restartCount":\#(restarts),"state":\#(state)}]}}
            """#
    }

    static func list(_ pods: [String]) -> String {
        #"{"apiVersion":"v1","kind":"List","items":["# + pods.joined(separator: ",") + "]}\n"
    }

    static let before = list([
        pod("bk-repo-gateway-6c8b9f7d5-zz9kq", ready: false, waiting: "CrashLoopBackOff", restarts: 12),
        pod("bk-repo-gateway-6c8b9f7d5-k2m4x", ready: false, waiting: "CrashLoopBackOff", restarts: 11),
        pod("bk-repo-repository-0", owner: "StatefulSet", ready: true),
        pod("bk-repo-debug", owner: nil, ready: false, waiting: "CrashLoopBackOff", restarts: 3),
    ])
    static let starting = list([
        pod("bk-repo-gateway-6c8b9f7d5-n7p2w", ready: false, waiting: "ContainerCreating"),
        pod("bk-repo-gateway-6c8b9f7d5-q8r3t", ready: false, waiting: "ContainerCreating"),
        pod("bk-repo-repository-0", owner: "StatefulSet", ready: true),
    ])
    static let after = list([
        pod("bk-repo-gateway-6c8b9f7d5-n7p2w", ready: true),
        pod("bk-repo-gateway-6c8b9f7d5-q8r3t", ready: true),
        pod("bk-repo-repository-0", owner: "StatefulSet", ready: true),
    ])
    static let delete = "delete pod -n blueking bk-repo-gateway-6c8b9f7d5-k2m4x bk-repo-gateway-6c8b9f7d5-zz9kq"

    /// kubectl on the control machine: `get` prints the current list; the delete switches to the recreated pods,
    /// not Ready at the first `get` after it (unless `neverReady`, then never).
    func cluster(_ w: NodeWorld, get: String, neverReady: Bool = false) throws {
        for (name, text) in [("before", Self.before), ("starting", Self.starting), ("after", Self.after)] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: w.stateDir("control") + "/\(name).json"))
        }
        try w.setState("control", "pods", "before")
        let next = neverReady ? "starting" : "after"
        try w.standIn(
            "kubectl", on: "control",
            [
                (
                    get,
                    """
                        s=$(cat "$STATE/pods"); cat "$STATE/$s.json"
                        [ "$s" = starting ] && echo \(next) > "$STATE/pods"; exit 0
                    """
                ),
                (Self.delete, "    echo starting > \"$STATE/pods\"; echo 'pod \"x\" deleted'; exit 0"),
            ])
    }

    static let getAll = "get pod -A -l app.kubernetes.io/instance=bk-repo -o json"

    @Test func itDeletesTheCrashLoopingPodsWaitsForTheNewOnesAndCannotBeRolledBack() async throws {
        let w = try NodeWorld(nodes: [])
        defer { w.cleanup() }
        try cluster(w, get: Self.getAll)

        let plan = try await w.bkfix(["plan", "restart-pods", "-p", "release=bk-repo"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            plan.stdout.contains("deleting blueking/bk-repo-gateway-6c8b9f7d5-zz9kq (CrashLoopBackOff, 12 restarts"))
        #expect(plan.stdout.contains("blueking/bk-repo-debug has no controller and would not come back; left alone"))
        #expect(plan.stdout.contains("$ kubectl \(Self.delete)  [irreversible]"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("repository-0 ("))
        #expect(w.calls == ["control kubectl \(Self.getAll)"])

        let apply = try await w.bkfix(["apply", "restart-pods", "-p", "release=bk-repo", "--yes", "--json"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "pods-ready")
        #expect(verify["ok"] as? Bool == true)
        #expect((verify["detail"] as? String)?.contains("bk-repo-gateway-6c8b9f7d5-n7p2w") == true)
        #expect(w.calls.filter { $0.contains(" delete ") } == ["control kubectl \(Self.delete)"])
        #expect(w.calls.suffix(2) == ["control kubectl \(Self.getAll)", "control kubectl \(Self.getAll)"])

        let again = try await w.bkfix(["apply", "restart-pods", "-p", "release=bk-repo", "--yes", "--json"])
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "no-changes", "\(again.stdout)")

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 3, "\(rollback.stdout) \(rollback.stderr)")
        #expect(
            rollback.stderr.contains("cannot be rolled back: what it did cannot be undone (kubectl \(Self.delete))"))
    }

    @Test func podsThatNeverGetReadyFailTheVerifyAndANamespaceAndSelectorNarrowTheQuery() async throws {
        let w = try NodeWorld(nodes: [])
        defer { w.cleanup() }
        let get =
            "get pod -n blueking -l app.kubernetes.io/instance=bk-repo,app.kubernetes.io/component=gateway -o json"
        try cluster(w, get: get, neverReady: true)
        let apply = try await w.bkfix([
            "apply", "restart-pods", "-p", "release=bk-repo", "-p", "namespace=blueking", "-p",
            "selector=app.kubernetes.io/component=gateway", "-p", "timeout=1", "--yes", "--json",
        ])
        #expect(apply.status == 5, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "verify-failed")
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect((verify["detail"] as? String)?.contains("not Ready within 1 s") == true, "\(verify)")
        #expect((verify["detail"] as? String)?.contains("ContainerCreating") == true)
    }

    @Test func fixTakesTheGseAgentCrashLoopToRestartPodsWithTheDerivedReleaseAndNamespace() async throws {
        let w = try NodeWorld(nodes: [])
        defer { w.cleanup() }
        let beat = "bkmonitor-operator-bkmonitorbeat-daemonset-x7k2p"
        let crashing = #"""
            {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(beat)","namespace":"bkmonitor-operator","labels":{"app.kubernetes.io/instance":"bkmonitor-operator","app.kubernetes.io/component":"bkmonitorbeat"},"ownerReferences":[{"kind":"DaemonSet","name":"bkmonitor-operator-bkmonitorbeat-daemonset","controller":true}]},"spec":{"containers":[{"name":"bkmonitorbeat"}]},"status":{"phase":"Running","containerStatuses":[{"name":"bkmonitorbeat","ready":false,"restartCount":9,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}]}
            """#
        let recreated = crashing.replacingOccurrences(
            of: beat, with: "bkmonitor-operator-bkmonitorbeat-daemonset-m3n8q"
        )
        .replacingOccurrences(of: #""ready":false"#, with: #""ready":true"#)
        .replacingOccurrences(of: #"{"waiting":{"reason":"CrashLoopBackOff"}}"#, with: #"{"running":{}}"#)
        for (name, text) in [("before", crashing), ("after", recreated)] {
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: w.stateDir("control") + "/\(name).json"))
        }
        try Data(
            "failed to initialize libbeat: error initializing publisher: dial unix /data/ipc/ipc.state.report: connect: no such file or directory\n"
                .utf8
        ).write(to: URL(fileURLWithPath: w.stateDir("control") + "/log"))
        try w.setState("control", "pods", "before")
        let get = "get pod -n bkmonitor-operator -l app.kubernetes.io/instance=bkmonitor-operator -o json"
        try w.standIn(
            "kubectl", on: "control",
            [
                ("get pods -A -o json", "    cat \"$STATE/$(cat \"$STATE/pods\").json\"; exit 0"),
                ("logs -p -n bkmonitor-operator \(beat) --tail 50 -c bkmonitorbeat", "    cat \"$STATE/log\"; exit 0"),
                (get, "    cat \"$STATE/$(cat \"$STATE/pods\").json\"; exit 0"),
                ("delete pod -n bkmonitor-operator \(beat)", "    echo after > \"$STATE/pods\"; exit 0"),
            ])
        let fix = try await w.bkfix(["fix", "--live", "--case", "gse-agent-missing", "--yes", "--json"])
        #expect(fix.status == 0, "\(fix.stdout) \(fix.stderr)")
        #expect(try CLISandbox.json(fix.stdout)["status"] as? String == "applied", "\(fix.stdout)")
        #expect(w.calls.contains("control kubectl delete pod -n bkmonitor-operator \(beat)"), "\(w.calls)")
    }
}
