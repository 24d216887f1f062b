import Foundation
import Testing

@testable import BKFix

@Suite struct RaiseQuotaStepTests {
    static let esCustom = WorkDirFixture.workDir + "/environments/default/elasticsearch-custom-values.yaml.gotmpl"

    func plan(_ values: [String: ArgValue], transport: MemoryTransport, installDir: String? = WorkDirFixture.installDir)
        throws -> StepPlan
    {
        try RaiseQuotaStep.plan(
            StepArgs(kind: "raise-quota", values: values), in: WorkDirFixture.context(transport, installDir: installDir)
        )
    }

    func onlyFileChange(_ plan: StepPlan) throws -> FileChange {
        #expect(plan.changes.count == 1)
        guard case .file(let change) = try #require(plan.changes.first) else {
            Issue.record("expected a file change")
            throw CancellationError()
        }
        return change
    }

    @Test func docExampleDoublesElasticsearchLimitsIntoNewCustomValuesFile() throws {
        let transport = try WorkDirFixture.transport(readOnly: true)
        let change = try onlyFileChange(try plan(["release": .string("bk-elastic")], transport: transport))
        #expect(change.path == Self.esCustom)
        #expect(change.operation == .create)
        #expect(change.afterMeta?.mode == 0o644)
        let expected = DocExample.elasticsearchCustomValues
        #expect(String(decoding: change.after ?? Data(), as: UTF8.self) == expected)
        #expect(change.notes.contains("master: cpu 1000m → 2000m, memory 1024Mi → 2048Mi"))
        #expect(change.notes.contains("coordinating: cpu 1000m → 2000m, memory 512Mi → 1024Mi"))
        #expect(transport.writes.isEmpty)
    }

    @Test func existingCustomValuesKeepTheirKeysAndComments() throws {
        let transport = try WorkDirFixture.transport(readOnly: true)
        let path = WorkDirFixture.workDir + "/environments/default/mysql-custom-values.yaml.gotmpl"
        let before = try #require(transport.file(path))
        let change = try onlyFileChange(try plan(["release": .string("bk-mysql")], transport: transport))
        #expect(change.operation == .modify)
        #expect(change.before == before)
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self) == """
                # 由运维人员维护：覆盖 mysql-values.yaml.gotmpl
                master:
                  persistence:
                    size: 100Gi   # 数据盘扩容
                  resources:
                    limits:
                      cpu: 2000m
                      memory: 4096Mi

                """)
    }

    @Test func customValuesOverrideDefaultsAsTheStartingPoint() throws {
        let transport = try WorkDirFixture.transport()
        transport.setFile(Self.esCustom, Data("# 已调整\nmaster:\n  resources:\n    limits:\n      cpu: 3\n".utf8))
        let change = try onlyFileChange(
            try plan(["release": .string("bk-elastic"), "component": .string("master")], transport: transport))
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == "# 已调整\nmaster:\n  resources:\n    limits:\n      cpu: 6\n      memory: 2048Mi\n")
    }

    @Test func componentListLimitsTheEdit() throws {
        let transport = try WorkDirFixture.transport()
        let change = try onlyFileChange(
            try plan(
                [
                    "release": .string("bk-elastic"), "component": .string("data,coordinating"),
                    "factor": .string("1.5"),
                ], transport: transport))
        let text = String(decoding: change.after ?? Data(), as: UTF8.self)
        #expect(!text.contains("master"))
        #expect(text.contains("data:\n  resources:\n    limits:\n      cpu: 1500m\n      memory: 3072Mi\n"))
        #expect(text.contains("coordinating:\n  resources:\n    limits:\n      cpu: 1500m\n      memory: 768Mi\n"))
    }

    @Test func explicitCpuAndMemoryWin() throws {
        let transport = try WorkDirFixture.transport()
        let change = try onlyFileChange(
            try plan(
                [
                    "release": .string("bk-elastic"), "component": .string("data"), "cpu": .string("4"),
                    "memory": .string("8Gi"),
                ], transport: transport))
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == "data:\n  resources:\n    limits:\n      cpu: 4\n      memory: 8Gi\n")
    }

    @Test func limitsInTheValuesFilesNeedNoClusterQuery() throws {
        let transport = try WorkDirFixture.transport(readOnly: true)
        _ = try plan(["release": .string("bk-elastic")], transport: transport)
        #expect(transport.commands.isEmpty)
    }

    @Test func wantedComponentMissingFromValuesIsReadFromItsPodByLabel() throws {
        let pods = WorkDirFixture.podList([
            ("bk-elastic-elasticsearch-ingest-only-0", "ingest-only", "500m", "768Mi", false, 5)
        ])
        let transport = try WorkDirFixture.transport(responder: WorkDirFixture.answer(pods))
        let change = try onlyFileChange(
            try plan(["release": .string("bk-elastic"), "component": .string("ingest")], transport: transport))
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == "ingest:\n  resources:\n    limits:\n      cpu: 1000m\n      memory: 1536Mi\n")
        #expect(
            transport.commands == [
                [
                    "kubectl", "get", "pod", "-n", "blueking", "-l", "app.kubernetes.io/instance=bk-elastic", "-o",
                    "json",
                ]
            ])
    }

    @Test func limitsMissingFromValuesAreReadFromTheLivePod() throws {
        let pods = WorkDirFixture.podList([("bk-redis-master-0", nil, "500m", "1Gi", false, 5)])
        let transport = try WorkDirFixture.transport(responder: WorkDirFixture.answer(pods))
        let change = try onlyFileChange(try plan(["release": .string("bk-redis")], transport: transport))
        #expect(change.path == WorkDirFixture.workDir + "/environments/default/redis-custom-values.yaml.gotmpl")
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == "resources:\n  limits:\n    cpu: 1000m\n    memory: 2Gi\n")
    }

    @Test func noLimitsAnywhereAsksForExplicitValues() throws {
        let transport = try WorkDirFixture.transport(readOnly: true)
        #expect(throws: StepError.self) { _ = try plan(["release": .string("bk-redis")], transport: transport) }
        do {
            _ = try plan(["release": .string("bk-redis")], transport: transport)
        } catch {
            #expect(error.localizedDescription.contains("cpu=..."))
            #expect(error.localizedDescription.contains("redis-values.yaml.gotmpl"))
        }
    }

    @Test func missingValuesFilesAreNamedInTheError() throws {
        let transport = try WorkDirFixture.transport()
        do {
            _ = try plan(["release": .string("bcs-services-stack")], transport: transport)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.localizedDescription.contains("none exists: environments/default/bcs/values.yaml.gotmpl"))
        }
    }

    @Test func explicitValuesWorkWithoutAnyKnownLimits() throws {
        let transport = try WorkDirFixture.transport()
        let change = try onlyFileChange(
            try plan(["release": .string("bk-redis"), "memory": .string("2Gi")], transport: transport))
        #expect(String(decoding: change.after ?? Data(), as: UTF8.self) == "resources:\n  limits:\n    memory: 2Gi\n")
    }

    @Test func unknownComponentWithoutValuesIsRefused() throws {
        let transport = try WorkDirFixture.transport()
        #expect(throws: StepError.self) {
            _ = try plan(["release": .string("bk-elastic"), "component": .string("ingest")], transport: transport)
        }
    }

    @Test func missingInstallDirIsRefused() throws {
        let transport = try WorkDirFixture.transport()
        #expect(
            throws: StepError.cannotPlan(
                step: "raise-quota", reason: "the BlueKing install dir is unknown; pass --install-dir")
        ) {
            _ = try plan(["release": .string("bk-elastic")], transport: transport, installDir: nil)
        }
    }

    @Test func releaseWithoutCustomValuesFileIsRefused() throws {
        let transport = try WorkDirFixture.transport()
        #expect(throws: WorkDirError.noCustomValuesFile(release: "bk-monitor", helmfile: "base-blueking.yaml.gotmpl")) {
            _ = try plan(["release": .string("bk-monitor"), "cpu": .string("1")], transport: transport)
        }
    }

    @Test func badQuantityArgumentIsRefused() throws {
        let transport = try WorkDirFixture.transport()
        #expect(throws: StepError.self) {
            _ = try plan(["release": .string("bk-elastic"), "cpu": .string("12Zi")], transport: transport)
        }
        #expect(throws: StepError.self) {
            _ = try plan(["release": .string("bk-elastic"), "factor": .string("-2")], transport: transport)
        }
    }

    @Test func layout72RaisesMysql8InItsCustomValues() throws {
        let transport = try WorkDirFixture.transport("bkce72")
        let change = try onlyFileChange(try plan(["release": .string("bk-mysql8")], transport: transport))
        #expect(change.path == WorkDirFixture.workDir + "/environments/default/mysql8-custom-values.yaml.gotmpl")
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == "primary:\n  resources:\n    limits:\n      cpu: 4\n      memory: 8Gi\n")
        #expect(transport.commands.isEmpty)
    }

    @Test func livePodQueryUsesTheResolvedNamespace() throws {
        let pods = WorkDirFixture.podList([("bk-mysql8-secondary-0", "secondary", "1", "2Gi", false, 4)])
        let transport = try WorkDirFixture.transport("bkce72", responder: WorkDirFixture.answer(pods))
        _ = try plan(["release": .string("bk-mysql8"), "component": .string("secondary")], transport: transport)
        #expect(transport.commands.first?[4] == "bk-system")
    }

    @Test func alreadyRaisedIsANoOp() throws {
        let transport = try WorkDirFixture.transport()
        transport.setFile(Self.esCustom, Data("data:\n  resources:\n    limits:\n      cpu: 4\n".utf8))
        let plan = try plan(
            ["release": .string("bk-elastic"), "component": .string("data"), "cpu": .string("4")], transport: transport)
        #expect(plan.changes.isEmpty)
    }
}
