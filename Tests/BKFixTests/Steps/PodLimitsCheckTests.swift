import Foundation
import Testing

@testable import BKFix

@Suite struct PodLimitsCheckTests {
    static let doubledCustom = "master:\n  resources:\n    limits:\n      cpu: 2000m\n      memory: 2048Mi\n"

    func check(_ values: [String: ArgValue], pods: String?, custom: String? = doubledCustom) throws -> (
        VerifyResult, MemoryTransport
    ) {
        let offline: @Sendable ([String]) -> CommandResult = { argv in
            CommandResult(
                argv: argv, exitCode: 1, stdout: "", stderr: "Unable to connect", duration: 0, timedOut: false)
        }
        let responder = pods.map { WorkDirFixture.answer($0) } ?? offline
        let transport = try WorkDirFixture.transport(responder: responder)
        if let custom { transport.setFile(RaiseQuotaStepTests.esCustom, Data(custom.utf8)) }
        let result = try PodLimitsCheck.check(
            StepArgs(kind: "pod-limits", values: values), in: WorkDirFixture.context(transport))
        return (result, transport)
    }

    @Test func passesWhenPodsRunWithTheValuesFileLimitsAsQuantities() throws {
        let pods = WorkDirFixture.podList([("bk-elastic-elasticsearch-master-0", "master", "2", "2Gi", true, 0)])
        let (result, transport) = try check(
            ["release": .string("bk-elastic"), "component": .string("master")], pods: pods)
        #expect(result.ok, "\(result.detail)")
        #expect(
            transport.commands == [
                [
                    "kubectl", "get", "pod", "-n", "blueking", "-l", "app.kubernetes.io/instance=bk-elastic", "-o",
                    "json",
                ]
            ])
        #expect(transport.writes.isEmpty)
    }

    @Test func docExampleAfterApplyPassesForAllThreeComponents() throws {
        let custom = DocExample.elasticsearchCustomValues
        let pods = try Fixtures.text("workdir/standins/es-pods-doubled.json")
        let (result, _) = try check(["release": .string("bk-elastic")], pods: pods, custom: custom)
        #expect(result.ok, "\(result.detail)")
        #expect(result.detail.contains("3 pod(s)"))
    }

    @Test func failsWhenAPodStillHasTheOldLimits() throws {
        let pods = WorkDirFixture.podList([("bk-elastic-elasticsearch-master-0", "master", "1", "1Gi", false, 5)])
        let (result, _) = try check(["release": .string("bk-elastic")], pods: pods)
        #expect(!result.ok)
        #expect(result.detail.contains("bk-elastic-elasticsearch-master-0 cpu 1 ≠ 2000m"))
    }

    @Test func explicitLimitsAndNamespaceAreUsed() throws {
        let pods = WorkDirFixture.podList([("bk-elastic-elasticsearch-data-0", "data", "4000m", "4096Mi", true, 0)])
        let (result, transport) = try check(
            [
                "release": .string("bk-elastic"), "namespace": .string("other"), "cpu": .string("4"),
                "memory": .string("4Gi"),
            ], pods: pods)
        #expect(result.ok, "\(result.detail)")
        #expect(transport.commands.first?[4] == "other")
    }

    @Test func kubectlFailureIsAFailedCheckNotACrash() throws {
        let (result, _) = try check(["release": .string("bk-elastic")], pods: nil)
        #expect(!result.ok)
        #expect(result.detail.contains("Unable to connect"))
    }

    @Test func noPodsIsAFailedCheck() throws {
        let (result, _) = try check(["release": .string("bk-elastic")], pods: WorkDirFixture.podList([]))
        #expect(!result.ok)
    }
}
