import Foundation
import Testing

@testable import BKFix

@Suite struct JSONSetStepTests {
    typealias S = HostTestSupport

    @Test func aMissingFileIsCreatedWithMode0644() throws {
        let host = MemoryTransport(readOnly: true)
        let plan = try JSONSetStep.plan(
            S.args(
                "json-set",
                [
                    "file": .string("/etc/docker/daemon.json"), "key": .string("registry-mirrors"),
                    "value": .list([.string("https://a.example")]),
                ]), in: S.context(host))
        let change = try #require(S.fileChanges(plan).first)
        #expect(change.operation == .create)
        #expect(change.afterMeta?.mode == 0o644)
        #expect(change.path == "/etc/docker/daemon.json")
        #expect(host.writes.isEmpty)
    }

    @Test func anExistingFileKeepsItsMetadata() throws {
        let host = MemoryTransport()
        host.setFile("/etc/docker/daemon.json", try Fixtures.data("host/daemon/4space.json"), mode: 0o600)
        let plan = try JSONSetStep.plan(
            S.args(
                "json-set",
                ["file": .string("/etc/docker/daemon.json"), "key": .string("live-restore"), "json": .string("false")]),
            in: S.context(host))
        let change = try #require(S.fileChanges(plan).first)
        #expect(change.afterMeta?.mode == 0o600)
        #expect(String(decoding: change.after ?? Data(), as: UTF8.self).contains("\"live-restore\": false,"))
    }

    @Test func invalidJSONIsRefusedAndNothingIsWritten() throws {
        let host = MemoryTransport(readOnly: true)
        host.setFile("/etc/docker/daemon.json", try Fixtures.data("host/daemon/trailing-comma.json"))
        #expect(throws: JSONSpliceError.self) {
            try JSONSetStep.plan(
                S.args(
                    "json-set",
                    [
                        "file": .string("/etc/docker/daemon.json"), "key": .string("registry-mirrors"),
                        "value": .list([.string("https://a.example")]),
                    ]), in: S.context(host))
        }
        #expect(host.writes.isEmpty)
        #expect(host.file("/etc/docker/daemon.json") == (try Fixtures.data("host/daemon/trailing-comma.json")))
    }

    @Test func reapplyingTheSameValuePlansNothing() throws {
        let host = MemoryTransport()
        let args = S.args(
            "json-set",
            [
                "file": .string("/etc/docker/daemon.json"), "key": .string("registry-mirrors"),
                "value": .list([.string("https://a.example")]),
            ])
        let first = try JSONSetStep.plan(args, in: S.context(host))
        try S.apply(first, to: host)
        let second = try JSONSetStep.plan(args, in: S.context(host))
        #expect(second.changes.isEmpty)
    }

    @Test func rollbackRestoresTheExactBytesAndMode() throws {
        let host = MemoryTransport()
        let original = try Fixtures.data("host/daemon/tab.json")
        host.setFile("/etc/docker/daemon.json", original, mode: 0o640)
        let plan = try JSONSetStep.plan(
            S.args(
                "json-set",
                [
                    "file": .string("/etc/docker/daemon.json"), "key": .string("registry-mirrors"),
                    "value": .list([.string("https://a.example")]),
                ]), in: S.context(host))
        try S.apply(plan, to: host)
        #expect(host.file("/etc/docker/daemon.json") != original)
        try S.rollback(plan, on: host)
        #expect(host.file("/etc/docker/daemon.json") == original)
        #expect(try host.read("/etc/docker/daemon.json")?.meta.mode == 0o640)
    }

    @Test func aBadJSONLiteralIsRefused() {
        let host = MemoryTransport()
        #expect(throws: JSONSpliceError.badValue(key: "k", reason: "cannot parse {x")) {
            try JSONSetStep.plan(
                S.args("json-set", ["file": .string("/f.json"), "key": .string("k"), "json": .string("{x")]),
                in: S.context(host))
        }
    }

    @Test func aMissingValueIsAnArgumentError() {
        #expect(throws: StepError.missingArgument(step: "json-set", key: "value")) {
            try JSONSetStep.plan(
                S.args("json-set", ["file": .string("/f.json"), "key": .string("k")]), in: S.context(MemoryTransport()))
        }
    }
}
