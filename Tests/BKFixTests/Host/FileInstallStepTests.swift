import Foundation
import Testing

@testable import BKFix

@Suite struct FileInstallStepTests {
    typealias S = HostTestSupport

    @Test func installKeepsTheTargetsModeAndStoresTheOldBytesAsBefore() throws {
        let t = MemoryTransport(readOnly: true)
        t.setFile("/opt/new/tool", Data([0, 1, 2, 255]), mode: 0o700)
        t.setFile("/usr/local/bin/tool", Data([9, 9]), mode: 0o755)
        let plan = try FileInstallStep.plan(
            S.args("file-install", ["source": .string("/opt/new/tool"), "dest": .string("/usr/local/bin/tool")]),
            in: S.context(t))
        let change = try #require(S.fileChanges(plan).first)
        #expect(change.before == Data([9, 9]))
        #expect(change.after == Data([0, 1, 2, 255]))
        #expect(change.afterMeta?.mode == 0o755)
        #expect(change.binary)
    }

    @Test func anExplicitModeWins() throws {
        let t = MemoryTransport()
        t.setFile("/opt/new/tool", Data([1]), mode: 0o600)
        let plan = try FileInstallStep.plan(
            S.args(
                "file-install",
                ["source": .string("/opt/new/tool"), "dest": .string("/usr/local/bin/tool"), "mode": .string("0755")]),
            in: S.context(t))
        #expect(S.fileChanges(plan).first?.afterMeta?.mode == 0o755)
    }

    @Test func identicalFilesPlanNothing() throws {
        let t = MemoryTransport()
        t.setFile("/a", Data([1, 2]), mode: 0o755)
        t.setFile("/b", Data([1, 2]), mode: 0o755)
        let plan = try FileInstallStep.plan(
            S.args("file-install", ["source": .string("/a"), "dest": .string("/b")]), in: S.context(t))
        #expect(plan.changes.isEmpty)
    }

    @Test func aMissingSourceOrBadModeIsRefused() {
        let t = MemoryTransport()
        #expect(throws: FileInstallError.sourceMissing("/nope")) {
            try FileInstallStep.plan(
                S.args("file-install", ["source": .string("/nope"), "dest": .string("/b")]), in: S.context(t))
        }
        t.setFile("/a", Data([1]))
        #expect(throws: FileInstallError.badMode("0999")) {
            try FileInstallStep.plan(
                S.args("file-install", ["source": .string("/a"), "dest": .string("/b"), "mode": .string("0999")]),
                in: S.context(t))
        }
    }
}
