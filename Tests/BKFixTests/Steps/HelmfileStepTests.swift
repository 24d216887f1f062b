import Foundation
import Testing

@testable import BKFix

@Suite struct HelmfileStepTests {
    func command(_ values: [String: ArgValue], installDir: String? = WorkDirFixture.installDir) throws -> CommandChange
    {
        let transport = try WorkDirFixture.transport(readOnly: true)
        let plan = try HelmfileStep.plan(
            StepArgs(kind: "helmfile", values: values), in: WorkDirFixture.context(transport, installDir: installDir))
        #expect(transport.commands.isEmpty)
        guard case .command(let command) = try #require(plan.changes.first) else { throw CancellationError() }
        return command
    }

    @Test func destroyIsIrreversibleAndConfirmedByReleaseName() throws {
        let c = try command(["release": .string("bk-elastic"), "action": .string("destroy")])
        #expect(c.argv == ["helmfile", "-f", "base-storage.yaml.gotmpl", "-l", "name=bk-elastic", "destroy"])
        #expect(c.workdir == WorkDirFixture.workDir)
        #expect(c.risk == .irreversible)
        #expect(c.confirmWord == "bk-elastic")
        #expect(c.timeout == 1800)
        // Its compensation: the sync that brings the release back from the restored values, known at plan time.
        #expect(
            c.undo.map(\.argv) == [["helmfile", "-f", "base-storage.yaml.gotmpl", "-l", "name=bk-elastic", "sync"]])
        #expect(c.undo.first?.risk == .compensating)
        #expect(c.effect == "bk-elastic was destroyed")
    }

    @Test func syncIsCompensatedByTheSameSync() throws {
        let c = try command(["release": .string("bk-elastic")])
        #expect(c.argv.last == "sync")
        #expect(c.risk == .compensating)
        #expect(c.undo.map(\.argv) == [c.argv])
        #expect(c.undo.first?.workdir == WorkDirFixture.workDir)
        #expect(c.confirmWord == nil)
    }

    @Test func applyIsCompensatedByASync() throws {
        let c = try command(["release": .string("bk-ci"), "action": .string("apply")])
        #expect(c.argv == ["helmfile", "-f", "03-bkci.yaml.gotmpl", "-l", "name=bk-ci", "apply"])
        #expect(c.undo.first?.argv.last == "sync")
    }

    @Test func explicitFileOverridesTheLookup() throws {
        let c = try command(["release": .string("bk-job"), "file": .string("base.yaml.gotmpl")])
        #expect(c.argv == ["helmfile", "-f", "base.yaml.gotmpl", "-l", "name=bk-job", "sync"])
    }

    @Test func missingExplicitFileIsRefused() {
        #expect(throws: StepError.self) {
            _ = try command(["release": .string("bk-job"), "file": .string("nope.yaml.gotmpl")])
        }
    }

    @Test func unknownActionIsRefused() {
        #expect(
            throws: StepError.badArgument(
                step: "helmfile", key: "action", reason: "expected sync, destroy or apply, got delete")
        ) {
            _ = try command(["release": .string("bk-job"), "action": .string("delete")])
        }
    }

    @Test func unknownReleaseIsRefused() {
        #expect(throws: WorkDirError.self) { _ = try command(["release": .string("bk-nope")]) }
    }

    @Test func summaryFollowsTheLanguage() throws {
        let transport = try WorkDirFixture.transport()
        let plan = try HelmfileStep.plan(
            StepArgs(kind: "helmfile", values: ["release": .string("bk-elastic"), "action": .string("destroy")]),
            in: WorkDirFixture.context(transport, language: .zh))
        guard case .command(let c) = plan.changes[0] else { return }
        #expect(c.summary.contains("不可撤销"))
    }
}
