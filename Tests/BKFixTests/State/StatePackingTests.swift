import Foundation
import Testing

@testable import BKFix

/// Objects are packed like `git gc` (SPEC §10): automatically after many commits and by `bkfix gc`; a pack never
/// loses an object, reachable or not, and `git fsck --strict` stays clean.
@Suite struct StatePackingTests {
    /// `runs` apply runs, each on its own file content, on two hosts.
    private func grow(_ store: RunStore, runs: Int, from first: Int = 0) throws -> [RunRecord] {
        try (first..<first + runs).map { index in
            let started = RunRecordFactory.date(10, 1 + index % 28, minutes: index)
            let record = RunRecordFactory.record(
                id: RunRecordFactory.id(started, index), hosts: ["control", "node-1"], started: started,
                files: [("control", "/etc/hosts"), ("node-1", "/etc/hosts")])
            try RunRecordFactory.commit(record, to: store, content: "10.0.0.\(index) hub.bktencent.com\n")
            return record
        }
    }

    private func countObjects(_ factory: RunRecordFactory) async throws -> [String: Int] {
        let text = try await factory.git.output(["count-objects", "-v"], in: factory.statePath)
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let value = Int(parts[1]) { counts[parts[0]] = value }
        }
        return counts
    }

    private func expectEveryRunReadable(_ store: RunStore, _ records: [RunRecord]) throws {
        let runs = try store.runs()
        #expect(runs.map(\.record.id) == records.reversed().map(\.id))
        for (entry, record) in zip(runs, records.reversed()) {
            #expect(entry.record == record.withBase(entry.record.baseCommit))
        }
    }

    @Test func manyRunsArePackedAutomaticallyAndEveryRunStaysReadable() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try grow(store, runs: 120)

        let counts = try await countObjects(factory)
        #expect(counts["packs", default: 0] >= 1, "\(counts)")
        #expect(counts["in-pack", default: 0] > StateRepo.autoPackLooseObjects / 2, "\(counts)")
        #expect(counts["count", default: .max] < StateRepo.autoPackLooseObjects * 2, "\(counts)")
        let fsck = try await factory.git.run(["fsck", "--strict", "--no-dangling"], in: factory.statePath)
        #expect(fsck.status == 0 && fsck.stdout.isEmpty && fsck.stderr.isEmpty, "\(fsck.stdout)\(fsck.stderr)")
        try expectEveryRunReadable(try RunStore.open(path: factory.statePath), records)
    }

    @Test func gcPacksEverythingIntoOnePackKeepsUnreachableObjectsAndIsIdempotent() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        let records = try grow(store, runs: 70)
        // An object no commit refers to (say, from a killed run): git gc would keep it two weeks; bkfix never drops it.
        let orphan = factory.root.appendingPathComponent("orphan")
        try Data("not referenced by any commit\n".utf8).write(to: orphan)
        let unreachable = try await factory.git.output(["hash-object", "-w", orphan.path], in: factory.statePath)
            .trimmed

        let report = try store.gc(command: "bkfix gc")
        #expect(report.after.looseObjects == 0 && report.after.packs == 1, "\(report)")
        #expect(report.packedObjects == report.after.packedObjects)
        #expect(report.removedLooseObjects == report.before.looseObjects)
        let counts = try await countObjects(factory)
        #expect(counts["count"] == 0 && counts["packs"] == 1, "\(counts)")
        #expect(try await factory.git.run(["cat-file", "-e", unreachable], in: factory.statePath).status == 0)
        let fsck = try await factory.git.run(["fsck", "--strict"], in: factory.statePath)
        #expect(fsck.status == 0 && !fsck.stdout.contains("missing"), "\(fsck.stdout)\(fsck.stderr)")
        try expectEveryRunReadable(try RunStore.open(path: factory.statePath), records)

        let packs = try FileManager.default.contentsOfDirectory(atPath: factory.statePath + "/.git/objects/pack")
        let again = try store.gc(command: "bkfix gc")
        #expect(again.packedObjects == 0 && again.after == report.after)
        #expect(try FileManager.default.contentsOfDirectory(atPath: factory.statePath + "/.git/objects/pack") == packs)

        // Runs after a gc go on packing and merging into what is there.
        let more = try grow(store, runs: 70, from: 70)
        _ = try store.gc(command: "bkfix gc")
        try expectEveryRunReadable(try RunStore.open(path: factory.statePath), records + more)
        #expect(try await factory.git.run(["fsck", "--strict"], in: factory.statePath).status == 0)
    }

    @Test func packIndexFileListsWhatGitListsForThePack() async throws {
        let factory = try RunRecordFactory()
        defer { factory.cleanup() }
        let store = try RunStore.open(path: factory.statePath)
        _ = try grow(store, runs: 5)
        _ = try store.gc(command: "bkfix gc")
        let directory = factory.statePath + "/.git/objects/pack"
        let index = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".idx") })
        let listed = try await factory.git.output(
            ["verify-pack", "-v", directory + "/" + index], in: factory.statePath)
        let gitIDs = listed.split(separator: "\n").compactMap { line -> String? in
            let id = String(line.prefix(40))
            return id.count == 40 && id.allSatisfy(\.isHexDigit) ? id : nil
        }
        #expect(try #require(PackIndexFile(path: directory + "/" + index)).objectIDs == gitIDs.sorted())
    }
}
