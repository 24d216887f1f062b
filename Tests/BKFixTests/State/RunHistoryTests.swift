import Foundation
import Testing

@testable import BKFix

/// `history`, `show` and `rollback --last` answer from commit trailers (SPEC §10): the same answers as decoding
/// every run record, without decoding them, and without reading past what `--limit` asks for.
@Suite struct RunHistoryTests {
    /// 30 runs over three months: three playbooks, cases, hosts, every status, rollbacks that worked and one
    /// that failed, an operator and a path that need escaping on a trailer line.
    private func variedHistory(_ store: RunStore) throws -> [RunRecord] {
        let playbooks = ["hub-hosts", "docker-mirror", "raise-quota"]
        let caseSets = [["chart-download-failed"], ["docker-mirror-dead", "nsenter-image-pull"], []]
        let hostSets = [["control"], ["control", "node-1"], ["node-2"]]
        let statuses: [RunStatus] = [.applied, .failed, .verifyFailed, .interrupted, .applied]
        var records: [RunRecord] = []
        for index in 0..<30 {
            let started = RunRecordFactory.date(9 + index / 10, 1 + index % 10, minutes: index * 7)
            let id = RunRecordFactory.id(started, index)
            let hosts = hostSets[index % 3]
            var record: RunRecord
            if index % 6 == 5, let target = records.last(where: { $0.kind == .apply && $0.status == .applied }) {
                record = RunRecordFactory.record(
                    id: id, kind: .rollback, playbook: target.playbook, cases: target.cases, hosts: target.hosts,
                    status: index == 11 ? .failed : .applied, started: started,
                    files: target.files.map { ($0.host, $0.path) }, rollbackOf: target.id)
            } else {
                record = RunRecordFactory.record(
                    id: id, playbook: playbooks[index % 3], cases: caseSets[index % 3], hosts: hosts,
                    status: statuses[index % 5], started: started,
                    files: hosts.map { ($0, index == 7 ? "/etc/odd 100%\nname" : "/etc/hosts") },
                    operatorName: index == 4 ? "ops\tteam" : "root")
            }
            try RunRecordFactory.commit(record, to: store, content: "content \(index)\n")
            records.append(record)
        }
        return records
    }

    /// The answer of the old way: decode every record in the tree, newest first, rollbacks applied to their runs.
    private func fullDecode(_ store: RunStore) throws -> [RunSummary] {
        var records: [(RunRecord, String)] = []
        for path in try store.repo.list(under: "runs") {
            let data = try #require(try store.repo.read(path))
            records.append((try RunStore.decoder.decode(RunRecord.self, from: data), path))
        }
        records.sort { $0.0.started > $1.0.started }
        var undoneBy: [String: String] = [:]
        return records.map { record, path in
            var run = RunSummary(record: record, recordPath: path, commit: "", parent: nil)
            run.rolledBackBy = undoneBy[record.id]
            if let target = run.undoes, undoneBy[target] == nil { undoneBy[target] = record.id }
            return run
        }
    }

    /// Everything but where the record lives: the trailers' answer and the decoded record's must agree on it.
    private func visible(_ runs: [RunSummary]) -> [RunSummary] {
        runs.map {
            var run = $0
            (run.commit, run.parent, run.recordPath) = ("", nil, "")
            return run
        }
    }

    @Test func historyFiltersFromTrailersEqualTheFullDecodeAnswer() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try variedHistory(store)
        let all = try fullDecode(store)
        #expect(all.count == 30)
        #expect(all.contains { $0.rolledBackBy != nil })

        let middle = records[14].started
        var filters: [RunFilter] = [RunFilter()]
        filters += ["hub-hosts", "docker-mirror", "raise-quota", "nope"].map { RunFilter(playbook: $0) }
        filters += ["chart-download-failed", "nsenter-image-pull", "docker-mirror-dead"].map { RunFilter(caseID: $0) }
        filters += ["control", "node-1", "node-2", "node-3"].map { RunFilter(host: $0) }
        filters += [RunStatus.applied, .failed, .verifyFailed, .interrupted, .running].map { RunFilter(status: $0) }
        filters += [
            RunFilter(since: middle), RunFilter(until: middle), RunFilter(since: middle, until: records[20].started),
            RunFilter(playbook: "hub-hosts", host: "control", status: .applied),
        ]
        for filter in filters {
            let expected = visible(all.filter(filter.matches))
            #expect(visible(try store.history(filter)) == expected, "\(filter)")
            for limit in [1, 3] {
                #expect(visible(try store.history(filter, limit: limit)) == Array(expected.prefix(limit)), "\(filter)")
            }
        }
        let odd = try #require(try store.history(RunFilter()).first { $0.id == records[7].id })
        #expect(odd.files.map(\.path) == ["/etc/odd 100%\nname", "/etc/odd 100%\nname"])
        #expect(try store.history(RunFilter()).first { $0.id == records[4].id }?.operatorName == "ops\tteam")
    }

    @Test func showAndRollbackTargetDecodeOnlyTheRunTheyName() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try variedHistory(store)

        let shown = try store.run(records[3].id)
        #expect(shown.record == records[3].withBase(shown.record.baseCommit))
        #expect(try store.run(String(records[3].id.suffix(4))).record.id == records[3].id)
        let rolledBack = try #require(records.last { $0.kind == .rollback && $0.status == .applied })
        #expect(try store.run(try #require(rolledBack.rollbackOf)).rolledBackBy == rolledBack.id)

        let target = try RollbackPlanner(store: store, hosts: HostDirectory(control: MemoryTransport()))
            .target(last: true, playbook: nil)
        let expected = try fullDecode(store).first {
            $0.kind == .apply && $0.rolledBackBy == nil && $0.status != .running && $0.changedSomething
        }
        #expect(target.record.id == expected?.id)
    }

    @Test func historyWithALimitStopsBeforeOlderCommits() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try variedHistory(store)
        // Damage the oldest commit: a walk that reads it fails, one that stops before it does not.
        let oldest = try #require(try store.repo.log().last?.oid)
        let objectFile = "\(factory.statePath)/.git/objects/\(oldest.prefix(2))/\(oldest.dropFirst(2))"
        try FileManager.default.removeItem(atPath: objectFile)
        // Without the run index (a cache that commands which write rebuild), history walks the commits themselves.
        try FileManager.default.removeItem(atPath: factory.statePath + "/.git/bkfix/runs.index")
        let reopened = try RunStore.open(path: factory.statePath)

        #expect(try reopened.history(RunFilter(), limit: 10).map(\.id) == records.suffix(10).reversed().map(\.id))
        #expect(try reopened.run(records[29].id).record.id == records[29].id)
        #expect(throws: StateRepoError.self) { try reopened.history(RunFilter()) }
        do {
            _ = try reopened.history(RunFilter())
        } catch let error as StateRepoError {
            guard case .missingObject(let path, let object, _, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(path == factory.statePath && object == oldest)
        }
    }

    @Test func trailersAreReadableByTheGitCommandLine() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let started = RunRecordFactory.date(11, 26)
        let record = RunRecordFactory.record(
            id: RunRecordFactory.id(started, 1), cases: ["chart-download-failed", "nsenter-image-pull"],
            hosts: ["control", "node-1"], started: started,
            files: [("control", "/etc/hosts"), ("node-1", "/etc/hosts")])
        try RunRecordFactory.commit(record, to: store, content: "x\n")
        let path = factory.statePath
        let hosts = try await factory.git.output(
            ["log", "-1", "--format=%(trailers:key=Host,valueonly,separator=%x2C)"], in: path)
        #expect(hosts == "control,node-1\n")
        let files = try await factory.git.output(
            ["log", "-1", "--format=%(trailers:key=File,valueonly,separator=%x2C)"], in: path)
        #expect(files == "control:/etc/hosts,node-1:/etc/hosts\n")
        let grep = try await factory.git.output(["log", "--format=%h", "--grep", "^Playbook: hub-hosts$"], in: path)
        #expect(grep.split(separator: "\n").count == 1)
        let recordPath = "runs/2026/11/\(record.id).json"
        #expect(
            try await factory.git.output(
                ["log", "-1", "--format=%(trailers:key=Record,valueonly,separator=)"], in: path)
                == recordPath + "\n")
    }
}

extension RunRecord {
    /// This record with the base commit the store filled in.
    func withBase(_ base: String?) -> RunRecord {
        var copy = self
        copy.baseCommit = base
        return copy
    }
}
