import Foundation
import Testing

@testable import BKFix

/// Finding one release in a full 7.0.0-style work dir (`bkce70full`: 15 helmfiles with releases, 39 releases) reads
/// what it needs and parses only the helmfile that declares it.
@Suite struct ReleaseLookupTests {
    static let declaredIn: [String: String] = [
        "ingress-nginx": "00-ingress-nginx.yaml.gotmpl", "local-storage": "00-localpv.yaml.gotmpl",
        "metrics-server": "00-metrics-server.yaml.gotmpl", "bcs-services-stack": "03-bcs.yaml.gotmpl",
        "bk-ci": "03-bkci.yaml.gotmpl", "bk-codecc": "03-bkcodecc.yaml.gotmpl", "bk-tbs": "03-bktbs.yaml.gotmpl",
        "bklog-collector": "04-bklog-collector.yaml.gotmpl", "bk-monitor": "04-bkmonitor.yaml.gotmpl",
        "bk-repo": "base-blueking.yaml.gotmpl", "bk-nodeman": "base-blueking.yaml.gotmpl",
        "bk-mysql": "base-storage.yaml.gotmpl", "bk-elastic": "base-storage.yaml.gotmpl",
        "bk-influxdb": "monitor-storage.yaml.gotmpl", "sentry": "sentry.yaml.gotmpl",
    ]

    func workDir(_ transport: MemoryTransport) throws -> BlueKingWorkDir {
        try BlueKingWorkDir.locate(installDir: WorkDirFixture.installDir, transport: transport)
    }

    @Test func everyReleaseIsFoundInTheHelmfileThatDeclaresIt() throws {
        let workDir = try workDir(try WorkDirFixture.transport("bkce70full"))
        #expect(workDir.helmfiles.count == 15)
        #expect(workDir.releases.count == 40)
        for (release, helmfile) in Self.declaredIn {
            #expect(try workDir.release(named: release).helmfile == helmfile, "\(release)")
        }
        for release in workDir.releases {
            #expect(try workDir.release(named: release.name) == release)
        }
    }

    /// Only the helmfiles whose bytes hold `name: bk-elastic` are parsed: base-storage, and 04-bkmonitor whose
    /// comment says it (a parse that finds no such release there moves on).
    @Test func onlyHelmfilesNamingTheReleaseAreParsed() throws {
        let workDir = try workDir(try WorkDirFixture.transport("bkce70full"))
        #expect(
            workDir.helmfiles(mentioning: "bk-elastic").map(\.name) == [
                "04-bkmonitor.yaml.gotmpl", "base-storage.yaml.gotmpl",
            ])
        #expect(workDir.helmfiles(mentioning: "bk-ci").map(\.name) == ["03-bkci.yaml.gotmpl"])
        #expect(workDir.helmfiles(mentioning: "bk").isEmpty)
        #expect(try workDir.release(named: "bk-elastic").helmfile == "base-storage.yaml.gotmpl")
    }

    @Test func planningAReleaseReadsNoOtherReleasesValues() throws {
        let transport = try WorkDirFixture.transport("bkce70full")
        let plan = try RaiseQuotaStep.plan(
            StepArgs(kind: "raise-quota", values: ["release": .string("bk-elastic")]),
            in: WorkDirFixture.context(transport))
        #expect(plan.changes.count == 1)
        let root = WorkDirFixture.workDir + "/"
        let read = Set(transport.reads.map { String($0.dropFirst(root.count)) })
        let helmfiles = Set(
            transport.reads.filter { !$0.dropFirst(root.count).contains("/") }.map { String($0.dropFirst(root.count)) })
        #expect(
            read.subtracting(helmfiles) == [
                "environments/default/custom.yaml", "environments/default/values.yaml",
                "environments/default/elasticsearch-values.yaml.gotmpl",
                "environments/default/elasticsearch-custom-values.yaml.gotmpl",
            ])
    }

    @Test func aReleaseNoHelmfileDeclaresIsAClearErrorListingTheKnownOnes() throws {
        let workDir = try workDir(try WorkDirFixture.transport("bkce70full"))
        do {
            _ = try workDir.release(named: "bk-elasticsearch")
            Issue.record("bk-elasticsearch was found")
        } catch let error as WorkDirError {
            guard case .releaseNotFound(let release, let dir, let known) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(release == "bk-elasticsearch" && dir == WorkDirFixture.workDir)
            #expect(known.count == 40 && known.contains("bk-elastic"))
            #expect(error.localizedDescription.contains("is not defined in any helmfile of /data/bkce/blueking"))
        }
    }

    @Test func namespacesResolveFromTheEnvironmentValues() throws {
        let transport = try WorkDirFixture.transport("bkce70full")
        var workDir = try workDir(transport)
        #expect(try workDir.release(named: "bk-elastic").namespace == "blueking")
        #expect(try workDir.release(named: "bcs-services-stack").namespace == "bcs-system")
        #expect(try workDir.release(named: "ingress-nginx").namespace == "ingress-nginx")
        // `.Values.bkmonitor.namespace` is not set and the default is a literal: the work dir's default.
        #expect(try workDir.release(named: "bklog-collector").namespace == "blueking")

        let custom = WorkDirFixture.workDir + "/environments/default/custom.yaml"
        for (text, namespace) in [
            ("# 覆盖默认 namespace\nnamespace: bk-system\n", "bk-system"),
            ("namespace: 'bk-''q'\n", "bk-'q"),
            ("namespace: \"bk-\\u0073ys\"\n", "bk-sys"),  // an escape: read with a real parse
            ("namespace: {{ env \"NS\" }}\n", "blueking"),  // a template: no literal value
            ("namespace: ~\n", "blueking"),  // null does not override values.yaml
            ("bcs: {namespace: bcs-flow}\n", "blueking"),
        ] {
            transport.setFile(custom, Data(text.utf8))
            workDir = try self.workDir(transport)
            #expect(try workDir.release(named: "bk-elastic").namespace == namespace, "\(text)")
        }
        #expect(try workDir.release(named: "bcs-services-stack").namespace == "bcs-flow")
    }

    /// The release's own `- ` item is cut out by indentation and parsed alone; anything else named like it (a hook's
    /// `name:`, another list) is not taken for it, and the result equals a parse of the whole helmfile.
    @Test func theReleasesOwnItemIsParsedAlone() {
        let text = """
            bases:
              - env.yaml
            ---
            releases:
            - chart: blueking/bk-job
              hooks:
                - name: bk-elastic
                  events: [prepare]
              name: bk-job
            {{- if .Values.es }}
            - namespace: {{ .Values.namespace }}
              # the name is not the item's first key
              name: bk-elastic
              values:
                - ./environments/default/elasticsearch-values.yaml.gotmpl

            {{- end }}
            - name: bk-elastic-ingest
            """
        let lines = YAMLTemplateMask(YAMLLines(text)).maskedText.split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(HelmfileReader.itemLines(declaring: "bk-elastic", in: lines)?.indices == 10..<17)
        #expect(HelmfileReader.itemLines(declaring: "bk-job", in: lines)?.indices == 4..<10)
        let elastic = HelmfileReader.release(named: "bk-elastic", in: text)
        #expect(elastic == HelmfileReader.releases(in: text).first { $0.name == "bk-elastic" })
        #expect(elastic?.namespace == "{{ .Values.namespace }}")
        #expect(elastic?.values == ["./environments/default/elasticsearch-values.yaml.gotmpl"])
        #expect(HelmfileReader.release(named: "bk-job", in: text)?.labels == [:])
        #expect(HelmfileReader.release(named: "bk-elastic-ingest", in: text) != nil)
        #expect(HelmfileReader.release(named: "bk-nope", in: text) == nil)
    }

    @Test func aByteSearchFindsTheWaysYAMLWritesAName() {
        func declares(_ text: String) -> Bool { HelmfileReader.mayDeclare("bk-elastic", in: Data(text.utf8)) }
        #expect(declares("  - name: bk-elastic\n"))
        #expect(declares("  - name:\tbk-elastic"))
        #expect(declares("- name: \"bk-elastic\"\n"))
        #expect(declares("- {name: 'bk-elastic', chart: x}\n"))
        #expect(declares("name: bk-elastic # the ES cluster\n"))
        #expect(!declares("  - name: bk-elastic-ingest\n"))
        #expect(!declares("  - name: my.bk-elastic\n"))
        #expect(!declares("  - basename: bk-elastic\n"))
        #expect(!declares("  needs: [bk-elastic]\n"))
        #expect(!declares("bk-elastic"))
    }
}
