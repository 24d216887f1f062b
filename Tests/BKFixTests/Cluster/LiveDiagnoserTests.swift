import Foundation
import Testing

@testable import BKFix

@Suite struct LiveDiagnoserTests {
    static let scenarios = [
        "start-timeout", "pv-no-space", "no-storage-class", "wait-scheduling", "crashloop-ipv6", "crashloop-kubelet",
        "image-not-found", "image-pull-slow", "docker-mirror-dead", "nsenter", "healthy",
    ]

    func diagnoser(_ scenario: String) -> (LiveDiagnoser, MemoryTransport) {
        let transport = RecordedCluster.transport(scenario)
        return (LiveDiagnoser(catalog: CatalogFixture.catalog, kubectl: KubectlClient(transport: transport)), transport)
    }

    @Test(arguments: scenarios)
    func recordedClusterGivesTheRightCasesAndParams(_ scenario: String) throws {
        let expected = try LiveExpectation.load(scenario)
        let (live, transport) = diagnoser(scenario)
        let findings = try live.diagnose()
        if let top = expected.top { #expect(findings.first?.caseID == top, "\(scenario): \(findings.map(\.caseID))") }
        if let count = expected.count { #expect(findings.count == count, "\(scenario): \(findings.map(\.caseID))") }
        for (id, params) in expected.cases {
            let finding = findings.first { $0.caseID == id }
            #expect(finding != nil, "\(scenario): no \(id) in \(findings.map(\.caseID))")
            for (name, value) in params { #expect(finding?.params[name] == value, "\(scenario) \(id).\(name)") }
            #expect(finding?.evidence.isEmpty == false)
            #expect(finding?.evidence.allSatisfy { $0.line == nil } == true, "live evidence has no line number")
        }
        for (id, names) in expected.absentParams ?? [:] {
            let params = findings.first { $0.caseID == id }?.params ?? [:]
            for name in names { #expect(params[name] == nil, "\(scenario) \(id) must not derive \(name)") }
        }
        #expect(transport.writes.isEmpty, "live diagnosis must not write")
        #expect(transport.commands.allSatisfy { $0[1] == "get" || $0[1] == "logs" })
    }

    @Test func otherNamespacesAreIgnoredUnlessAsked() throws {
        let (live, _) = diagnoser("healthy")
        #expect(try live.diagnose().isEmpty)
        let findings = try live.diagnose(namespaces: ["default"])
        #expect(findings.map(\.caseID) == ["pod-crashloop"])
        #expect(findings.first?.params["release"] == "demo")
    }

    @Test func contextAndKubeconfigArePassedOnEveryCall() throws {
        let transport = RecordedCluster.transport("pv-no-space", context: "bk-prod")
        let client = KubectlClient(transport: transport, context: "bk-prod", kubeconfig: "/root/.kube/bk")
        let findings = try LiveDiagnoser(catalog: CatalogFixture.catalog, kubectl: client).diagnose()
        #expect(findings.first?.caseID == "pv-no-space")
        #expect(transport.commands.allSatisfy { Array($0.prefix(3)) == ["kubectl", "--context", "bk-prod"] })
        #expect(client.argv(["get", "sc"]) == ["kubectl", "--context", "bk-prod", "get", "sc"])
    }

    @Test func aReleaseTimeoutInTheLogIsTiedToThatReleasesPods() throws {
        let log = """
            in ./base-blueking.yaml.gotmpl: failed processing release bk-auth: command "/usr/local/bin/helm" exited
            COMBINED OUTPUT:
              Release "bk-auth" does not exist. Installing it now.
              Error: timed out waiting for the condition
            """
        let text = Diagnoser(catalog: CatalogFixture.catalog).diagnose(text: log)
        let alone = try diagnoser("start-timeout").0.diagnose()
        let combined = try diagnoser("start-timeout").0.diagnose(combining: text)
        let timeout = try #require(combined.first { $0.caseID == "release-timeout" })
        #expect(timeout.evidence.contains { $0.line == nil && $0.text.contains("bk-auth-web-5f7c9d-2lq8x") })
        let pod = try #require(combined.first { $0.caseID == "pod-start-timeout" })
        #expect(pod.evidence.first?.line == 4)
        #expect(pod.confidence > alone.first!.confidence)
        #expect(combined.first?.caseID == "pod-start-timeout")
        #expect(timeout.explainedBy == ["pod-start-timeout"] && pod.explains == ["release-timeout"])
    }

    @Test func aCrashLoopWhoseLogShowsIPv6DisabledIsReportedAsIPv6FirstWithItsNode() throws {
        let findings = try diagnoser("crashloop-ipv6").0.diagnose()
        #expect(findings.map(\.caseID) == ["ipv6-disabled", "pod-crashloop"])
        #expect(findings[0].params["node"] == "10.0.0.11")
        #expect(findings[0].params["namespace"] == "blueking")
        #expect(findings[0].explains == ["pod-crashloop"])
        #expect(findings[1].explainedBy == ["ipv6-disabled"])
        #expect(findings[1].link?.contains("`ipv6-disabled`") == true)
    }

    @Test func kubectlFailureIsATypedErrorWithArgvAndStderr() {
        let transport = MemoryTransport(responder: { argv in
            CommandResult(
                argv: argv, exitCode: 1, stdout: "",
                stderr: "The connection to the server localhost:8080 was refused\n", duration: 0, timedOut: false)
        })
        let live = LiveDiagnoser(catalog: CatalogFixture.catalog, kubectl: KubectlClient(transport: transport))
        #expect(
            throws: KubectlError.failed(
                argv: ["kubectl", "get", "pods", "-A", "-o", "json"], exitCode: 1,
                stderr: "The connection to the server localhost:8080 was refused\n")
        ) {
            try live.diagnose()
        }
    }

    @Test func garbagePodJSONIsReportedNotCrashed() {
        let transport = MemoryTransport(responder: { argv in
            RecordedCluster.ok(argv, #"{"items": [{"metadata": {"name": "x""#)
        })
        let live = LiveDiagnoser(catalog: CatalogFixture.catalog, kubectl: KubectlClient(transport: transport))
        #expect(throws: KubectlError.self) { try live.diagnose() }
    }
}
