import Foundation
import Testing

@testable import BKFix

/// The context reader on the shapes real tools print: each line says which release, namespace, pod or node it
/// names, and how closely it ties it to a failure.
@Suite struct ContextReaderTests {
    /// Reads `lines` in order (every line, the way a context window is read) and lists the facts found.
    static func facts(_ lines: [String]) -> [String] {
        let patterns = ScanPatterns(rules: [])
        var reader = ContextReader()
        var out: [String] = []
        for (index, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            var triggers = ContextReader.Trigger()
            bytes.withUnsafeBufferPointer { buffer in
                patterns.words.forEachMatch(in: buffer, from: 0, to: buffer.count) { pattern, _ in
                    for role in patterns.roles[pattern] {
                        if case .context(let trigger) = role { triggers.insert(trigger) }
                    }
                }
                reader.read(buffer, number: index + 1, triggers: triggers)
            }
            bytes = []
            out += reader.facts.map { "\($0.line) \($0.name)=\($0.value) \($0.strength)" }
        }
        return out
    }

    @Test func helmfileSummaryTablesWithAndWithoutANamespaceColumn() {
        #expect(
            Self.facts([
                "UPDATED RELEASES:", "NAME      CHART              VERSION   DURATION",
                "bk-auth   blueking/bk-auth   1.1.2        2m29s", "",
                "FAILED RELEASES:", "NAME      NAMESPACE   CHART              VERSION   DURATION",
                "bk-paas   blueking    blueking/bk-paas   1.1.0            1s", "after the table",
            ]) == [
                "3 release=bk-auth listed", "7 release=bk-paas failing", "7 namespace=blueking failing",
            ])
    }

    @Test func aListingWhoseReleaseColumnIsCalledRelease() {
        #expect(
            Self.facts([
                "RELEASE        NAMESPACE    STATUS   CHART", "bk-nodeman     blueking     failed   bk-nodeman-2.4.4",
            ]) == ["2 release=bk-nodeman failing", "2 namespace=blueking failing"])
    }

    @Test func helmListRowsArePendingOrFineByTheirStatus() {
        #expect(
            Self.facts([
                "NAME   \tNAMESPACE\tREVISION\tUPDATED                                \tSTATUS         \tCHART",
                "bk-ci  \tblueking \t4       \t2026-11-26 10:21:33.123456789 +0800 CST\tpending-upgrade\tbk-ci-3.0.12",
                "bk-job \tblueking \t2       \t2026-11-26 10:01:02.000000001 +0800 CST\tdeployed       \tbk-job-0.5.2",
            ]) == [
                "2 release=bk-ci failing", "2 namespace=blueking failing", "3 release=bk-job listed",
                "3 namespace=blueking listed",
            ])
    }

    @Test func theArgsOfAFailedHelmCallNameItsReleaseAndNamespace() {
        #expect(
            Self.facts([
                "ARGS:", "  0: helm (4 bytes)", "  1: upgrade (7 bytes)", "  2: --install (9 bytes)",
                "  3: bk-paas (7 bytes)", "  4: blueking/bk-paas (16 bytes)", "  5: --namespace (11 bytes)",
                "  6: blueking (8 bytes)", "", "ERROR:",
            ]) == ["9 namespace=blueking failing", "9 release=bk-paas failing"])
    }

    @Test func commandLinesBehindPromptsTracesAndSudo() {
        #expect(
            Self.facts([
                "[root@bk-master-1 ~]# kubectl logs -p -n blueking bk-repo-gateway-6c8b9f7d5-zz9kq -c gateway",
                "$ sudo helm status bk-paas --namespace=blueking -o json",
                "helmfile -f base-storage.yaml.gotmpl -l name=bk-redis-cluster sync",
                "kubectl delete pvc -n blueking -l app.kubernetes.io/instance=bk-redis-cluster",
                "kubectl describe pod/bk-auth-web-5f7c9d-2lq8x -nblueking",
                "echo this mentions helm status bk-x but is no helm command line",
            ]) == [
                "1 namespace=blueking acting", "1 pod=bk-repo-gateway-6c8b9f7d5-zz9kq acting",
                "2 namespace=blueking acting", "2 release=bk-paas acting", "3 release=bk-redis-cluster acting",
                "4 namespace=blueking acting", "4 release=bk-redis-cluster acting", "5 namespace=blueking acting",
                "5 pod=bk-auth-web-5f7c9d-2lq8x acting",
            ])
    }

    @Test func describeNamesThePodItsNamespaceAndNodeIP() {
        #expect(
            Self.facts([
                "Name:             bk-mysql-mysql-0", "Namespace:        blueking", "Priority:         0",
                "Node:             <none>", "Name:         data-bk-mysql-mysql-0", "Namespace:    blueking",
                "StorageClass: local-storage", "Name: bk-repo-gateway-1", "Node:  bk-node-2/10.0.1.12",
            ]) == [
                "2 namespace=blueking acting", "4 pod=bk-mysql-mysql-0 acting", "6 namespace=blueking acting",
                "9 pod=bk-repo-gateway-1 acting", "9 node=10.0.1.12 acting",
            ])
    }

    @Test func podRowsOfPodsThatAreNotReadyWithTheirNode() {
        #expect(
            Self.facts([
                "blueking  bk-redis-cluster-0  0/1  CrashLoopBackOff  3  11m",
                "blueking  bk-redis-master-0   1/1  Running           0  11m",
                "bk-ci-auth-7d9f5b6c8-x2k4q  0/1  CrashLoopBackOff  6 (95s ago)  14m  10.244.1.9  bk-node-1  <none>",
                "bk-paas-migrate-db-x2k9q  0/1  Completed  0  1h",
            ]) == [
                "1 pod=bk-redis-cluster-0 acting", "1 namespace=blueking acting",
                "3 pod=bk-ci-auth-7d9f5b6c8-x2k4q acting", "3 node=bk-node-1 acting",
            ])
    }

    @Test func klogDialTCPAndHelmfileMessages() {
        #expect(
            Self.facts([
                #"E1126 12:09:41.553120 1187 pod_workers.go:951] "Error syncing pod" pod="blueking/bk-repo-0" podUID=5d1c"#,
                "dial tcp 10.0.0.7:10250: connect: no route to host",
                "dial tcp: lookup x.blueking.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:41234->10.96.0.10:53",
                "Upgrading release=bk-paas, chart=blueking/bk-paas, namespace=blueking",
                #"Release "bk-auth" has been upgraded. Happy Helming!"#,
                #"Release "bk-repo" does not exist. Installing it now."#,
                "in ./base.yaml.gotmpl: failed processing release bk-ci: command failed",
            ]) == [
                "1 namespace=blueking acting", "1 pod=bk-repo-0 acting", "2 node=10.0.0.7 acting",
                "4 release=bk-paas acting", "4 namespace=blueking acting", "5 release=bk-auth listed",
                "6 release=bk-repo acting", "7 release=bk-ci failing",
            ])
    }

    @Test func podNamesMapToReleasesByKnownNamesThenByShape() {
        let names = PodNames(releases: ["bk-repo", "bk-repo-bkrepo", "bk-mysql"])
        #expect(names.knownRelease(of: "bk-repo-bkrepo-gateway-6c8b9f7d5-zz9kq") == "bk-repo-bkrepo")
        #expect(names.knownRelease(of: "bk-mysql-mysql-0") == "bk-mysql")
        #expect(names.knownRelease(of: "bk-repository-0") == nil)
        #expect(PodNames.releaseByShape(of: "bk-auth-web-5f7c9d-2lq8x") == "bk-auth-web")
        #expect(PodNames.releaseByShape(of: "bk-redis-cluster-2") == "bk-redis-cluster")
        #expect(PodNames.releaseByShape(of: "nginx") == nil)
        #expect(PodNames.releaseByShape(of: "bkmonitor-operator-bkmonitorbeat-daemonset-7xk2p") == nil)
    }

    @Test func scientificNotationBecomesTheWholeNumberItMeant() {
        #expect(TextRule.plainDecimal("8.64e+07") == "86400000")
        #expect(TextRule.plainDecimal("1e+03") == "1000")
        #expect(TextRule.plainDecimal("1.5E+2") == "150")
        #expect(TextRule.plainDecimal("1.2345e+02") == nil)
        #expect(TextRule.plainDecimal("86400000") == nil)
    }
}
