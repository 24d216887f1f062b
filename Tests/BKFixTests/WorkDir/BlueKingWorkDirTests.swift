import Foundation
import Testing

@testable import BKFix

@Suite struct BlueKingWorkDirTests {
    @Test func mapsTheDocExampleReleaseToItsHelmfileAndValuesFiles() throws {
        let transport = try WorkDirFixture.transport()
        let workDir = try BlueKingWorkDir.locate(installDir: WorkDirFixture.installDir, transport: transport)
        #expect(workDir.path == WorkDirFixture.workDir)
        let release = try workDir.release(named: "bk-elastic")
        #expect(release.helmfile == "base-storage.yaml.gotmpl")
        #expect(release.namespace == "blueking")
        #expect(release.valuesFiles == ["environments/default/elasticsearch-values.yaml.gotmpl"])
        #expect(release.customValuesFile == "environments/default/elasticsearch-custom-values.yaml.gotmpl")
    }

    @Test func readsReleasesInsideTemplateBlocksAndWithLabels() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        let job = try workDir.release(named: "bk-job")
        #expect(job.helmfile == "base-blueking.yaml.gotmpl")
        #expect(job.labels == ["seq": "first"])
        let monitor = try workDir.release(named: "bk-monitor")
        #expect(monitor.customValuesFile == nil)
    }

    @Test func trimsTrailingSpacesInValuesPaths() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        #expect(
            try workDir.release(named: "bk-redis").customValuesFile
                == "environments/default/redis-custom-values.yaml.gotmpl")
    }

    @Test func keepsSubdirectoryValuesAndResolvesDefaultPipeNamespace() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        let ci = try workDir.release(named: "bk-ci")
        #expect(ci.helmfile == "03-bkci.yaml.gotmpl")
        #expect(ci.namespace == "blueking")
        #expect(
            ci.valuesFiles == [
                "environments/default/bkci/bkci-values.yaml.gotmpl",
                "environments/default/bkci/bkci-resources.yaml.gotmpl",
            ])
        #expect(ci.customValuesFile == "environments/default/bkci/bkci-custom-values.yaml.gotmpl")
    }

    @Test func namespaceFromNestedValueWithDefaultPipe() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        let bcs = try workDir.release(named: "bcs-services-stack")
        #expect(bcs.namespace == "bcs-system")
        #expect(bcs.customValuesFile == "environments/default/bcs-custom-values.yaml.gotmpl")
    }

    @Test func literalNamespaceStaysLiteral() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        #expect(try workDir.release(named: "ingress-nginx").namespace == "ingress-nginx")
    }

    @Test func helmfilesWithoutReleasesAreNotReleases() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        #expect(!workDir.releases.contains { $0.helmfile == "base.yaml.gotmpl" })
        #expect(
            Set(workDir.releases.map(\.name)) == [
                "bk-mysql", "bk-redis", "bk-elastic", "bk-job", "bk-monitor", "bk-ci", "ingress-nginx",
                "bcs-services-stack",
            ])
    }

    @Test func unknownReleaseNamesTheKnownOnes() throws {
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: try WorkDirFixture.transport())
        #expect(throws: WorkDirError.self) { _ = try workDir.release(named: "bk-nope") }
        do {
            _ = try workDir.release(named: "bk-nope")
        } catch let error as WorkDirError {
            #expect(error.localizedDescription.contains("bk-elastic"))
        }
    }

    @Test func missingWorkDirIsAClearError() {
        let transport = MemoryTransport(files: ["/opt/other/readme.txt": "hi"])
        #expect(throws: WorkDirError.notAWorkDir("/opt/other/blueking")) {
            _ = try BlueKingWorkDir.locate(installDir: "/opt/other", transport: transport)
        }
    }

    @Test func acceptsTheWorkDirItselfAsInstallDir() throws {
        let transport = try WorkDirFixture.transport()
        let workDir = try BlueKingWorkDir.locate(installDir: WorkDirFixture.workDir, transport: transport)
        #expect(workDir.path == WorkDirFixture.workDir)
    }

    @Test func layout72FindsMysql8WithEnvironmentNameAndCustomNamespace() throws {
        let transport = try WorkDirFixture.transport("bkce72")
        let workDir = try BlueKingWorkDir.locate(installDir: WorkDirFixture.installDir, transport: transport)
        let mysql = try workDir.release(named: "bk-mysql8")
        #expect(mysql.namespace == "bk-system")
        #expect(mysql.valuesFiles == ["environments/default/mysql8-values.yaml.gotmpl"])
        #expect(mysql.customValuesFile == "environments/default/mysql8-custom-values.yaml.gotmpl")
    }

    @Test func mergedValuesLetCustomOverrideDefaults() throws {
        let transport = try WorkDirFixture.transport()
        transport.setFile(
            WorkDirFixture.workDir + "/environments/default/elasticsearch-custom-values.yaml.gotmpl",
            Data("master:\n  resources:\n    limits:\n      cpu: 3\n".utf8))
        let workDir = try BlueKingWorkDir.load(WorkDirFixture.workDir, transport: transport)
        let values = try workDir.mergedValues(of: try workDir.release(named: "bk-elastic"), transport: transport)
        let master = values.limits.first { $0.component == "master" }
        #expect(master == ComponentLimits(component: "master", path: ["master"], cpu: "3", memory: "1024Mi"))
        #expect(values.limits.map(\.component) == ["master", "data", "coordinating"])
    }

    @Test func templatedLimitsAreUnknownNotValues() throws {
        let transport = MemoryTransport(files: [
            "/w/blueking/base.yaml.gotmpl":
                "releases:\n  - name: r\n    namespace: ns\n    values:\n    - v.yaml\n    - v-custom-values.yaml\n",
            "/w/blueking/v.yaml": "resources:\n  limits:\n    cpu: {{ .Values.cpu }}\n    memory: 1Gi\n",
        ])
        let workDir = try BlueKingWorkDir.locate(installDir: "/w", transport: transport)
        let values = try workDir.mergedValues(of: try workDir.release(named: "r"), transport: transport)
        #expect(values.limits == [ComponentLimits(component: "", path: [], cpu: nil, memory: "1Gi")])
    }

    @Test func parsesPodListFromKubectl() throws {
        let json = WorkDirFixture.podList([("es-master-0", "master", "2", "2Gi", false, 5)])
        let pods = try ReleasePod.parse(json)
        #expect(pods.count == 1)
        #expect(pods[0].component == "master")
        #expect(pods[0].containers[0].cpu == "2")
        #expect(pods[0].looksStarved)
        #expect(throws: ReleasePodsError.badJSON) { _ = try ReleasePod.parse("not json") }
    }
}
