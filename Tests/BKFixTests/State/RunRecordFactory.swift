import Foundation

@testable import BKFix

/// Run records for state-repo tests, shaped like the applier's, and a temporary state repo to commit them to.
struct RunRecordFactory {
    let root: URL
    let git: GitCLI
    var statePath: String { root.appendingPathComponent("state").path }

    init() throws {
        root = try Fixtures.tempDir("bkfix-runstore")
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        git = GitCLI(home: home)
    }

    func cleanup() { try? FileManager.default.removeItem(at: root) }

    /// A record of a run that changed `files` (host, path), done unless `status` says otherwise.
    static func record(
        id: String, kind: RunKind = .apply, playbook: String = "hub-hosts", cases: [String] = ["chart-download-failed"],
        hosts: [String] = ["control"], status: RunStatus = .applied, started: Date,
        files: [(host: String, path: String)] = [("control", "/etc/hosts")], rollbackOf: String? = nil,
        operatorName: String = "root"
    ) -> RunRecord {
        RunRecord(
            id: id, kind: kind, playbook: playbook, cases: cases, title: Localized(zh: "修复", en: "Fix"),
            params: [:], status: status, started: started, finished: started.addingTimeInterval(2),
            operator: operatorName, machine: "bk-1", command: ["bkfix", kind.rawValue, playbook],
            rollbackOf: rollbackOf,
            hosts: hosts,
            files: files.map {
                FileRecord(
                    host: $0.host, path: $0.path, op: .modify, beforeSHA256: nil, afterSHA256: nil,
                    beforeMeta: FileMeta(mode: 0o644, uid: 0, gid: 0), afterMeta: nil, binary: false, notes: [],
                    diff: "", status: status == .failed ? .failed : .done)
            },
            commands: [], order: files.indices.map { "file:\($0)" }, verify: [], notes: [], notUndoable: [],
            error: status == .failed ? "step failed" : nil, baseCommit: nil)
    }

    /// `2026-MM-DD` plus `minutes`, in UTC.
    static func date(_ month: Int, _ day: Int, minutes: Int = 0) -> Date {
        var parts = DateComponents()
        (parts.year, parts.month, parts.day, parts.minute) = (2026, month, day, minutes)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: parts)!
    }

    /// A run id for `date`, as `RunID.make` writes it, with a fixed suffix.
    static func id(_ date: Date, _ suffix: Int) -> String {
        String(RunID.make(now: date).dropLast(4)) + String(format: "%04x", suffix)
    }

    /// Records a run the way the applier does: pre-images first, then the run's commit with `contents` per file.
    @discardableResult
    static func commit(_ record: RunRecord, to store: RunStore, content: String) throws -> String {
        var record = record
        record.baseCommit = try store.recordPreImages(
            record.files.map { ($0.host, $0.path, try store.repo.read(RunStore.hostPath($0.host, $0.path))) })
        var contents: [String: Data?] = [:]
        for f in record.files where f.status == .done {
            contents[RunStore.hostPath(f.host, f.path)] = Data(content.utf8)
        }
        return try store.commitRun(record, contents: contents)
    }
}
