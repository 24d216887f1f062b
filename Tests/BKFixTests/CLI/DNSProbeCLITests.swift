import Foundation
import Testing

@testable import BKFix

/// `diagnose --live --nodes`: the elasticsearch crash loop of deploy-pod-unready.md, with `nslookup` answering from
/// the control machine and timing out from the nodes. `nslookup` is a stand-in on each host's PATH: it is not
/// installed on the test machine (or on CI's), and the probe's part is to run it on each host and read its answer.
@Suite struct DNSProbeCLITests {
    static let pod = "bk-elastic-elasticsearch-coordinating-only-0"
    static let name = "bk-elastic-elasticsearch-master.blueking.svc.cluster.local"
    static let pods = #"""
        {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"\#(pod)","namespace":"blueking","labels":{"app.kubernetes.io/instance":"bk-elastic","app.kubernetes.io/component":"coordinating-only"}},"spec":{"containers":[{"name":"elasticsearch"}]},"status":{"phase":"Running","containerStatuses":[{"name":"elasticsearch","ready":false,"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s restarting failed container"}}}]}}]}
        """#
    static let log = """
        [2024-12-05T06:01:02,003][WARN ][o.e.d.SeedHostsResolver  ] [\(pod)] failed to resolve host [\(name)]
        java.net.UnknownHostException: \(name)
        """
    static let services = #"""
        {"apiVersion":"v1","kind":"List","items":[{"metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"10.96.0.10","type":"ClusterIP"}},{"metadata":{"name":"metrics-server","namespace":"kube-system"},"spec":{"clusterIP":"10.96.0.77"}}]}
        """#

    func world(unreachable: String? = nil) throws -> NodeWorld {
        let w = try NodeWorld(unreachable: unreachable)
        for (file, text) in [("pods", Self.pods), ("log", Self.log), ("svc", Self.services)] {
            try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: w.stateDir("control") + "/\(file)"))
        }
        try w.standIn(
            "kubectl", on: "control",
            [
                ("get pods -A -o json", "    cat \"$STATE/pods\"; exit 0"),
                ("logs -p -n blueking \(Self.pod) --tail 50 -c elasticsearch", "    cat \"$STATE/log\"; exit 0"),
                ("get svc -n kube-system -o json", "    cat \"$STATE/svc\"; exit 0"),
            ])
        let probe = "\(Self.name) 10.96.0.10"
        try w.standIn(
            "nslookup", on: "control",
            [
                (
                    probe,
                    """
                        printf 'Server:\\t\\t10.96.0.10\\nAddress:\\t10.96.0.10#53\\n\\nName:\\t\(Self.name)\\nAddress: 10.244.1.17\\n'
                        exit 0
                    """
                )
            ])
        for node in w.nodes {
            try w.standIn(
                "nslookup", on: node,
                [(probe, "    echo ';; connection timed out; no servers could be reached'; exit 1")])
        }
        return w
    }

    /// The findings of `diagnose --json`, and the evidence lines of cluster-dns-unreachable.
    func dnsEvidence(_ stdout: String) throws -> ([[String: Any]], [String]) {
        let findings = try #require(CLISandbox.json(stdout)["findings"] as? [[String: Any]])
        let dns = try #require(findings.first { $0["case"] as? String == "cluster-dns-unreachable" })
        return (findings, (dns["evidence"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String })
    }

    @Test func nodesThatTimeOutWhileTheControlMachineResolvesAreEvidenceForClusterDNS() async throws {
        let w = try world()
        defer { w.cleanup() }
        let r = try await w.bkfix(["diagnose", "--live", "--nodes", "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let (findings, evidence) = try dnsEvidence(r.stdout)
        #expect(evidence.contains("control: nslookup \(Self.name) 10.96.0.10 resolves (10.244.1.17)"), "\(evidence)")
        #expect(evidence.contains("node-1: nslookup \(Self.name) 10.96.0.10 times out"))
        #expect(evidence.contains("node-2: nslookup \(Self.name) 10.96.0.10 times out"))
        #expect(findings.first?["case"] as? String == "cluster-dns-unreachable", "the probe makes it the top finding")
        #expect(w.calls.filter { $0.contains("nslookup") }.count == 3)

        let text = try await w.bkfix(["diagnose", "--live", "--nodes"])
        #expect(text.stdout.contains("node-1: nslookup \(Self.name) 10.96.0.10 times out"), "\(text.stdout)")

        let without = try await w.bkfix(["diagnose", "--live", "--json"])
        #expect(!without.stdout.contains("times out"))
        let usage = try await w.bkfix(["diagnose", "--nodes", "-"])
        #expect(usage.status == 64, "\(usage.stderr)")
        #expect(usage.stderr.contains("--nodes probes the nodes for a live diagnosis: add --live"))
    }

    @Test func anUnreachableNodeIsReportedAndTheOthersAreStillProbed() async throws {
        let w = try world(unreachable: "node-3")
        defer { w.cleanup() }
        let r = try await w.bkfix(["diagnose", "--live", "--nodes", "--json"])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let (_, evidence) = try dnsEvidence(r.stdout)
        #expect(evidence.contains { $0.hasPrefix("node-3: not probed: node node-3") }, "\(evidence)")
        #expect(evidence.contains("node-1: nslookup \(Self.name) 10.96.0.10 times out"))
    }
}
