import Foundation
import Testing

@testable import BKFix

/// The run index is a cache: history answers the same with it, without it, with it stale, damaged or from another
/// history; commands that write keep it current by appending, and rebuild it when it cannot be trusted.
@Suite struct RunIndexTests {
    private func runs(_ store: RunStore, _ range: Range<Int>) throws -> [RunRecord] {
        try range.map { index in
            let started = RunRecordFactory.date(10, 1 + index % 28, minutes: index)
            let record = RunRecordFactory.record(
                id: RunRecordFactory.id(started, index), kind: index % 3 == 2 ? .rollback : .apply,
                playbook: index % 2 == 0 ? "hub-hosts" : "docker-mirror", started: started,
                rollbackOf: index % 3 == 2
                    ? RunRecordFactory.id(
                        RunRecordFactory.date(10, 1 + (index - 1) % 28, minutes: index - 1), index - 1) : nil)
            try RunRecordFactory.commit(record, to: store, content: "\(index)\n")
            return record
        }
    }

    private var indexFile: (RunRecordFactory) -> String { { $0.statePath + "/.git/bkfix/runs.index" } }

    /// History as the git walk alone answers it (the index moved away and back).
    private func fromGit(_ factory: RunRecordFactory) throws -> [RunSummary] {
        let file = indexFile(factory)
        let saved = FileManager.default.contents(atPath: file)
        try? FileManager.default.removeItem(atPath: file)
        defer { if let saved { _ = FileManager.default.createFile(atPath: file, contents: saved) } }
        return try RunStore.open(path: factory.statePath).history(RunFilter())
    }

    @Test func everyWriteAppendsOneLinePerCommitAndHistoryEqualsTheGitWalk() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try runs(store, 0..<12)
        let text = try String(contentsOfFile: indexFile(factory), encoding: .utf8)
        #expect(text.hasPrefix(RunIndex.header))
        #expect(text.split(separator: "\n").count == 1 + (try store.repo.log().count))
        let indexed = try RunStore.open(path: factory.statePath).history(RunFilter())
        #expect(indexed.map(\.id) == records.reversed().map(\.id))
        #expect(indexed == (try fromGit(factory)))
        #expect(indexed.contains { $0.rolledBackBy != nil })
    }

    @Test func aStaleIndexIsCompletedFromGitByReadersAndByTheNextWrite() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        _ = try runs(store, 0..<5)
        let stale = try #require(FileManager.default.contents(atPath: indexFile(factory)))
        let records = try runs(store, 5..<9)
        try stale.write(to: URL(fileURLWithPath: indexFile(factory)))

        let reader = try RunStore.open(path: factory.statePath)
        #expect(try reader.history(RunFilter(), limit: 6) == Array(try fromGit(factory).prefix(6)))
        #expect(try reader.history(RunFilter(), limit: 4).map(\.id) == records.reversed().map(\.id))
        #expect(try reader.history(RunFilter()) == (try fromGit(factory)))
        #expect(FileManager.default.contents(atPath: indexFile(factory)) == stale)

        _ = try runs(reader, 9..<10)
        let lines = try String(contentsOfFile: indexFile(factory), encoding: .utf8).split(separator: "\n").count
        #expect(lines == 1 + (try store.repo.log().count))
    }

    @Test func aDamagedOrForeignIndexIsNotTrusted() throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        _ = try runs(store, 0..<8)
        let truth = try fromGit(factory)
        let file = indexFile(factory)
        let good = try String(contentsOfFile: file, encoding: .utf8)

        // A line in the middle that does not parse: the lines after it are used, git answers from there on.
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[4] = String(lines[4].prefix(41)) + "R\tgarbage"
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try RunStore.open(path: factory.statePath).history(RunFilter()) == truth)

        // Cut off by a crash in the middle of its last line: that commit is read from git.
        try String(good.dropLast(20)).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try RunStore.open(path: factory.statePath).history(RunFilter()) == truth)

        // From another history (every commit rewritten by hand): git answers alone.
        let foreign = good.replacingOccurrences(of: truth[0].commit, with: String(repeating: "a", count: 40))
        try foreign.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try RunStore.open(path: factory.statePath).history(RunFilter()) == truth)

        // Another format: ignored; the next write rebuilds it.
        try "something else\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try RunStore.open(path: factory.statePath).history(RunFilter()) == truth)
        let writer = try RunStore.open(path: factory.statePath)
        _ = try runs(writer, 8..<9)
        let rebuilt = try String(contentsOfFile: file, encoding: .utf8)
        #expect(rebuilt.hasPrefix(RunIndex.header))
        #expect(rebuilt.split(separator: "\n").count == 1 + (try writer.repo.log().count))
    }
}
