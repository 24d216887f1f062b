import Foundation
import Testing

@testable import BKFix

/// `history --json` is written by PrettyJSON for speed; it must be byte for byte what JSONSerialization writes.
@Suite struct PrettyJSONTests {
    private func run(_ id: String, playbook: String, files: [RunFileRef], finished: Date?, rollbackOf: String?)
        -> RunSummary
    {
        RunSummary(
            id: id, kind: rollbackOf == nil ? .apply : .rollback, playbook: playbook,
            cases: files.isEmpty ? [] : ["c1", "c2"],
            hosts: files.map(\.host), status: .verifyFailed, operatorName: "ops \"team\" \\ 中文 é",
            started: Date(timeIntervalSince1970: 1_795_000_000), finished: finished, files: files,
            rollbackOf: rollbackOf,
            changedSomething: true, recordPath: "runs/2026/11/\(id).json", commit: String(repeating: "a", count: 40),
            parent: nil, rolledBackBy: rollbackOf == nil ? "later" : nil)
    }

    /// A temporary fix's schedule as `RevertRenderer.json` gives it: nested objects, a slash, a secret-looking value.
    private static var revert: [String: Any] {
        [
            "state": "pending", "unit": "bkfix-revert-r2", "firesAt": "2026-12-05T12:00:00Z",
            "command": ["bkfix", "rollback", "r2", "--yes", "--if-unconfirmed"], "by": ["name": "ops/a", "n": 2],
            "note": "password=hunter22",
        ]
    }

    @Test func historyDocumentEqualsJSONSerializationByteForByte() {
        let odd = "/etc/odd\u{1}\u{1f}\t\n\r\u{8}\u{c}\u{7f} /x\u{2028}"
        let runs = [
            run(
                "r1", playbook: "hub-hosts", files: [RunFileRef(host: "control", path: "/etc/hosts")],
                finished: Date(timeIntervalSince1970: 1_795_000_002), rollbackOf: nil),
            run("r2", playbook: "p/with/slashes", files: [], finished: nil, rollbackOf: "r1"),
            run(
                "r3", playbook: "x",
                files: [RunFileRef(host: "fe80::1", path: odd), RunFileRef(host: "n", path: "/a")],
                finished: nil, rollbackOf: nil),
        ]
        for list in [runs, []] {
            var document = JSONOutput.HistoryDocument()
            for run in list {
                document.append(run, revert: run.id == "r2" ? Self.revert : nil)
            }
            let text = String(decoding: document.finish(), as: UTF8.self)
            let entries = list.map { JSONOutput.historyEntry($0, revert: $0.id == "r2" ? Self.revert : nil) }
            #expect(text == JSONOutput.serialize(JSONOutput.masked(["runs": entries])))
        }
    }
}
