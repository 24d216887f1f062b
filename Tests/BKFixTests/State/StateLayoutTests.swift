import Foundation
import Testing

@testable import BKFix

/// The layout that scales (SPEC §10): records sharded under `runs/YYYY/MM/` and kept in git only, a repo of an
/// older bkfix migrated on its first mutating use and read as it is before that, every file private.
@Suite struct StateLayoutTests {
    /// A repo as bkfix wrote it before the sharded layout: `runs/<id>.json` in the tree and the working tree,
    /// comma-joined `Case:`/`Host:` trailers, umask modes, reflogs, `.git/bkfix/` made by the store.
    private func writeLegacyRepo(at path: String, runs: Int) throws -> [RunRecord] {
        let repo = try StateRepo.open(at: path)
        try FileManager.default.createDirectory(atPath: path + "/.git/bkfix", withIntermediateDirectories: true)
        try repo.commit(
            updates: ["hosts/control/etc/hosts": Data("127.0.0.1 localhost\n".utf8)],
            message: "baseline: first record of control:/etc/hosts\n\nKind: baseline\nHost: control\n")
        var records: [RunRecord] = []
        for index in 0..<runs {
            let started = RunRecordFactory.date(8, 1 + index, minutes: index)
            var record = RunRecordFactory.record(
                id: RunRecordFactory.id(started, index), kind: index % 2 == 0 ? .apply : .rollback,
                cases: ["chart-download-failed", "nsenter-image-pull"], started: started,
                rollbackOf: index % 2 == 0 ? nil : records.last?.id)
            record.baseCommit = try repo.head()
            var message =
                "\(record.kind.rawValue) \(record.playbook): \(record.status.rawValue) (1 file, 0 commands)\n\n"
            message += "Fix\ncontrol:/etc/hosts modify [done]\n\nRun-Id: \(record.id)\nKind: \(record.kind.rawValue)\n"
            message += "Playbook: \(record.playbook)\nCase: \(record.cases.joined(separator: ", "))\nHost: control\n"
            message += "Operator: root\nStatus: \(record.status.rawValue)\n"
            if let of = record.rollbackOf { message += "Rollback-Of: \(of)\n" }
            let hosts = "127.0.0.1 localhost\n" + (index % 2 == 0 ? "49.234.165.79 hub.bktencent.com\n" : "")
            try repo.commit(
                updates: [
                    "hosts/control/etc/hosts": Data(hosts.utf8),
                    "runs/\(record.id).json": try RunStore.encoder.encode(record),
                ], message: message)
            records.append(record)
        }
        // bkfix before the private modes left files and folders to the umask.
        for file in try FileManager.default.subpathsOfDirectory(atPath: path) where !file.hasPrefix(".git/objects") {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + file, isDirectory: &isDirectory)
            chmod(path + "/" + file, isDirectory.boolValue ? 0o755 : 0o644)
        }
        return records
    }

    /// Every file and folder under `path` with its mode, size and modification time: what "nothing written" means.
    private func snapshot(_ path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for file in try FileManager.default.subpathsOfDirectory(atPath: path) + [""] {
            var info = stat()
            guard lstat(path + "/" + file, &info) == 0 else { continue }
            result[file] = "\(info.st_mode) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        return result
    }

    @Test func sharedLayoutIsReadByPlainGitAndKeepsRecordsOutOfTheWorkingTree() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let started = RunRecordFactory.date(11, 26)
        let record = RunRecordFactory.record(id: RunRecordFactory.id(started, 7), started: started)
        let commit = try RunRecordFactory.commit(record, to: store, content: "x\n")
        let path = factory.statePath
        let recordPath = "runs/2026/11/\(record.id).json"

        let shown = try await factory.git.output(["show", "HEAD:" + recordPath], in: path)
        #expect(try RunStore.decoder.decode(RunRecord.self, from: Data(shown.utf8)).id == record.id)
        let blob = try await factory.git.output(["rev-parse", "HEAD:" + recordPath], in: path)
        #expect(try await factory.git.output(["cat-file", "-t", blob.trimmed], in: path) == "blob\n")
        #expect(try await factory.git.output(["cat-file", "-p", "HEAD:runs/2026"], in: path).contains("\t11\n"))
        #expect(try await factory.git.output(["log", "--format=%H", "--", recordPath], in: path) == commit + "\n")
        #expect(try await factory.git.output(["status", "--porcelain"], in: path) == "")
        #expect(try await factory.git.output(["ls-files", "-v", "runs"], in: path) == "S \(recordPath)\n")
        #expect(!FileManager.default.fileExists(atPath: path + "/runs"))
        #expect(FileManager.default.fileExists(atPath: path + "/hosts/control/etc/hosts"))
        #expect(try await factory.git.run(["fsck", "--strict"], in: path).status == 0)
        #expect(!FileManager.default.fileExists(atPath: path + "/.git/logs/HEAD"))
    }

    @Test func readOnlyUseOfALegacyRepoReadsItAndWritesNothing() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let records = try writeLegacyRepo(at: factory.statePath, runs: 6)
        let before = try snapshot(factory.statePath)

        let store = try RunStore.open(path: factory.statePath)
        let history = try store.history(RunFilter())
        #expect(history.map(\.id) == records.reversed().map(\.id))
        #expect(history.first { $0.id == records[4].id }?.rolledBackBy == records[5].id)
        #expect(history.first?.recordPath == "runs/\(records[5].id).json")
        #expect(try store.history(RunFilter(caseID: "nsenter-image-pull"), limit: 2).count == 2)
        #expect(try store.run(records[2].id).record.id == records[2].id)
        _ = try store.managedFiles()

        #expect(try snapshot(factory.statePath) == before)
    }

    @Test func firstMutatingUseMigratesALegacyRepoInOneCommit() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let path = factory.statePath
        let records = try writeLegacyRepo(at: path, runs: 6)
        let historyBefore = try RunStore.open(path: path).history(RunFilter())

        let store = try RunStore.open(path: path)
        let started = RunRecordFactory.date(11, 26)
        let next = RunRecordFactory.record(id: RunRecordFactory.id(started, 99), started: started)
        try RunRecordFactory.commit(next, to: store, content: "after migration\n")

        let log = try store.repo.log()
        #expect(
            log.map(\.subject).prefix(2) == [
                "apply hub-hosts: applied (1 file, 0 commands)",
                "migrate: 6 run records moved to runs/YYYY/MM/",
            ])
        #expect(log.filter { $0.subject.hasPrefix("migrate:") }.count == 1)
        #expect(log[1].trailers["Kind"] == "migrate")
        let tree = try store.repo.list(under: "runs")
        #expect(tree == (records + [next]).map { "runs/2026/\($0.id.dropFirst(4).prefix(2))/\($0.id).json" }.sorted())
        #expect(!FileManager.default.fileExists(atPath: path + "/runs"))
        #expect(try await factory.git.output(["status", "--porcelain"], in: path) == "")
        #expect(try await factory.git.run(["fsck", "--strict"], in: path).status == 0)
        #expect(try await factory.git.output(["config", "bkfix.layout"], in: path) == "2\n")

        // The old runs read the same; the old commits still hold their records at runs/<id>.json.
        let historyAfter = try store.history(RunFilter())
        #expect(historyAfter.map(\.id) == [next.id] + historyBefore.map(\.id))
        #expect(historyAfter.dropFirst().map(\.rolledBackBy) == historyBefore.map(\.rolledBackBy))
        #expect(try store.run(records[1].id).record == records[1].withBase(records[1].baseCommit))
        #expect(
            try await factory.git.run(["cat-file", "-e", "HEAD~2:runs/\(records[5].id).json"], in: path).status == 0)

        // Migrated once: the next run adds no second migration commit.
        try RunRecordFactory.commit(
            RunRecordFactory.record(id: RunRecordFactory.id(started, 100), started: started), to: store, content: "z\n")
        #expect(try store.repo.log().filter { $0.subject.hasPrefix("migrate:") }.count == 1)
        try expectPrivate(path)
    }

    @Test func everyFileAndFolderOfTheStateRepoIsPrivate() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        for index in 0..<3 {
            let started = RunRecordFactory.date(10, 1 + index)
            try RunRecordFactory.commit(
                RunRecordFactory.record(id: RunRecordFactory.id(started, index), started: started), to: store,
                content: "\(index)\n")
        }
        try expectPrivate(factory.statePath)
        _ = try store.gc(command: "bkfix gc")
        try expectPrivate(factory.statePath)
    }

    /// Folders 0700; files 0600, or 0400 for git's read-only objects and packs: nothing for group or others.
    func expectPrivate(_ path: String) throws {
        var checked = 0
        for file in try FileManager.default.subpathsOfDirectory(atPath: path) + [""] {
            var info = stat()
            #expect(lstat(path + "/" + file, &info) == 0)
            let mode = info.st_mode & 0o7777
            switch info.st_mode & S_IFMT {
            case S_IFDIR: #expect(mode == 0o700, "\(file) is \(String(mode, radix: 8))")
            case S_IFREG: #expect(mode == 0o600 || mode == 0o400, "\(file) is \(String(mode, radix: 8))")
            default: Issue.record("\(file) is neither a file nor a folder")
            }
            checked += 1
        }
        #expect(checked > 20)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
