import Testing

@testable import BKFix

/// The cases taken from deploy-pod-unready.md: one realistic line each, ranked first with its params.
@Suite struct PodUnreadyCasesTests {
    static let samples: [(String, String, [String: String])] = [
        (
            "helm-operation-in-progress",
            "Error:\n  UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress", [:]
        ),
        (
            "helm-no-deployed-releases", "Error:\n  UPGRADE FAILED: \"bk-paas\" has no deployed releases",
            ["release": "bk-paas"]
        ),
        (
            "ingress-snippet-disabled",
            "  Error: admission webhook \"validate.nginx.ingress.kubernetes.io\" denied the request: nginx.ingress.kubernetes.io/configuration-snippet annotation cannot be used. Snippet directives are disabled by the Ingress administrator",
            [:]
        ),
        ("ipv6-disabled", "nginx: [emerg] socket() [::]:80 failed (97: Address family not supported by protocol)", [:]),
        (
            "consul-no-private-ip",
            "consul 2026-11-26 INFO ==> ** Starting Consul **\n==> No private IPv4 address found", [:]
        ),
        (
            "gse-agent-missing",
            "failed to initialize libbeat: error initializing publisher: dial unix /data/ipc/ipc.state.report: connect: no such file or directory",
            [:]
        ),
        (
            "clock-skew",
            "blue_krill.storages.blobstore.exceptions.RequestError: Service call failed\n2026-11-26 ERROR 9 --- [  XNIO-1 task-1] ExceptionLogger : User[anonymous] GET [/service/project/info/bkpaas] from [Api] failed[SystemErrorException]: [250115]Service unauthenticated, reason: Expired token",
            [:]
        ),
        (
            "cluster-dns-unreachable",
            "[2026-11-26T10:00:00,000][WARN ][o.e.d.SeedHostsResolver  ] [bk-elastic-elasticsearch-coordinating-only-0] failed to resolve host [bk-elastic-elasticsearch-master.blueking.svc.cluster.local]\njava.net.UnknownHostException: bk-elastic-elasticsearch-master.blueking.svc.cluster.local",
            [:]
        ),
        (
            "apigateway-crd-missing",
            "  Error: UPGRADE FAILED: [unable to recognize \"\": no matches for kind \"BkGatewayPluginMetadata\" in version \"gateway.bk.tencent.com/v1beta1\"]",
            [:]
        ),
        (
            "bkci-number-format",
            "Caused by: org.springframework.beans.factory.UnsatisfiedDependencyException: Unsatisfied dependency expressed through field 'expirationTime'; nested exception is java.lang.NumberFormatException: For input string: \"8.64e+07\"",
            [:]
        ),
        (
            "redis-cluster-stale-data",
            "  Warning  Unhealthy  2m (x31 over 12m)  kubelet  Readiness probe failed: cluster_state:fail\nblueking  bk-redis-cluster-1  0/1  Running  0  12m",
            ["release": "bk-redis-cluster", "namespace": "blueking", "pod": "bk-redis-cluster-1"]
        ),
    ]

    @Test(arguments: samples.indices)
    func sampleRanksItsCaseFirst(_ index: Int) {
        let (id, text, params) = Self.samples[index]
        let findings = Diagnoser(catalog: CatalogFixture.catalog).diagnose(text: text)
        #expect(findings.first?.caseID == id, "\(id): got \(findings.map(\.caseID))")
        for (name, value) in params { #expect(findings.first?.params[name] == value) }
    }

    @Test func everyCatalogueCaseIsCoveredByATextTest() {
        let covered = Set(TextExpectation.all.map(\.case) + Self.samples.map(\.0))
        for c in CatalogFixture.catalog.cases { #expect(covered.contains(c.id), "no text test for \(c.id)") }
    }
}
