import Foundation
import Testing

@testable import BKFix

@Suite struct ValuesSetStepTests {
    func plan(_ values: [String: ArgValue], transport: MemoryTransport, installDir: String? = WorkDirFixture.installDir)
        throws -> StepPlan
    {
        try ValuesSetStep.plan(
            StepArgs(kind: "values-set", values: values), in: WorkDirFixture.context(transport, installDir: installDir))
    }

    @Test func setsADottedPathRelativeToTheWorkDir() throws {
        let transport = try WorkDirFixture.transport(readOnly: true)
        let plan = try plan(
            [
                "file": .string("environments/default/elasticsearch-values.yaml.gotmpl"),
                "path": .string("master.heapSize"), "value": .string("1g"),
            ],
            transport: transport)
        guard case .file(let change) = try #require(plan.changes.first) else { return }
        #expect(change.path == WorkDirFixture.workDir + "/environments/default/elasticsearch-values.yaml.gotmpl")
        let before = String(decoding: change.before ?? Data(), as: UTF8.self)
        #expect(
            String(decoding: change.after ?? Data(), as: UTF8.self)
                == before.replacingOccurrences(of: "heapSize: 512m", with: "heapSize: 1g"))
        #expect(change.notes == ["master.heapSize: 512m → 1g"])
    }

    @Test func listPathAllowsDotsInKeys() throws {
        let transport = MemoryTransport(files: ["/etc/x.yaml": "annotations:\n  a.b/c: old\n"])
        let plan = try plan(
            [
                "file": .string("/etc/x.yaml"), "path": .list([.string("annotations"), .string("a.b/c")]),
                "value": .string("new"),
            ], transport: transport)
        guard case .file(let change) = try #require(plan.changes.first) else { return }
        #expect(String(decoding: change.after ?? Data(), as: UTF8.self) == "annotations:\n  a.b/c: new\n")
    }

    @Test func createsAMissingFileWithMode644() throws {
        let transport = MemoryTransport()
        let plan = try plan(
            ["file": .string("/etc/new.yaml"), "path": .string("a.b"), "value": .string("1")], transport: transport)
        guard case .file(let change) = try #require(plan.changes.first) else { return }
        #expect(change.operation == .create)
        #expect(change.afterMeta?.mode == 0o644)
        #expect(String(decoding: change.after ?? Data(), as: UTF8.self) == "a:\n  b: 1\n")
    }

    @Test func sameValueIsANoOp() throws {
        let transport = MemoryTransport(files: ["/etc/x.yaml": "a: 1\n"])
        #expect(
            try plan(
                ["file": .string("/etc/x.yaml"), "path": .string("a"), "value": .string("1")], transport: transport
            ).changes.isEmpty)
    }

    @Test func relativeFileWithoutInstallDirIsRefused() {
        #expect(throws: StepError.self) {
            _ = try plan(
                ["file": .string("x.yaml"), "path": .string("a"), "value": .string("1")], transport: MemoryTransport(),
                installDir: nil)
        }
    }

    @Test func editorRefusalsPassThroughAndNothingIsWritten() throws {
        let transport = MemoryTransport(
            files: ["/etc/x.yaml": "{{- if .Values.x }}\na: 1\n{{- end }}\n"], readOnly: true)
        #expect(throws: YAMLSpliceError.underTemplate(file: "/etc/x.yaml", path: "a", line: 2, templateLine: 1)) {
            _ = try plan(
                ["file": .string("/etc/x.yaml"), "path": .string("a"), "value": .string("2")], transport: transport)
        }
        #expect(transport.writes.isEmpty)
    }

    @Test func emptyKeyInPathIsRefused() {
        #expect(throws: StepError.self) {
            _ = try plan(
                ["file": .string("/etc/x.yaml"), "path": .string("a..b"), "value": .string("1")],
                transport: MemoryTransport())
        }
    }
}
