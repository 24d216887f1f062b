import Foundation
import Testing

@testable import BKFix

/// The engine's invariants hold whichever front end calls it (issue 8, item 8): here the front end is a test, not the
/// CLI. The lock and the pending-journal refusal come first, "already rolled back" is decided under the lock, and
/// rollback reads pre-images at the run's recorded base commit.
@Suite struct RunEngineTests {
    static let hosts = "127.0.0.1 localhost\n"

    /// A control root with /etc/hosts, a state repo, and a playbook folder with `pin`.
    struct World {
        let dir: URL
        var root: String { dir.appendingPathComponent("root").path }
        var state: String { dir.appendingPathComponent("state").path }
        var playbooks: String { dir.appendingPathComponent("playbooks").path }

        init() throws {
            dir = try Fixtures.tempDir("engine")
            try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: playbooks, withIntermediateDirectories: true)
            try Data(RunEngineTests.hosts.utf8).write(to: URL(fileURLWithPath: root + "/etc/hosts"))
            try """
            id: pin
            title: {zh: 测试, en: pin a name}
            steps:
              - hosts-entry: {ip: 10.1.2.3, names: [a.test]}

            """.write(toFile: playbooks + "/pin.yaml", atomically: true, encoding: .utf8)
        }

        var session: Session {
            Session(
                SessionOptions(
                    root: root, stateDir: state, playbookDirs: [playbooks], language: .en,
                    environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path]))
        }

        /// An engine whose front end records whether it was asked to review anything, and says yes.
        func engine(reviewed: Reviews = Reviews()) throws -> RunEngine {
            session.engine(
                store: try session.openStore(),
                origin: RunOrigin(operatorName: "test", machine: "test", command: ["test-front-end"]),
                frontEnd: RunFrontEnd(review: { plan, _ in reviewed.add(plan) }))
        }

        func hostsFile() throws -> String { try String(contentsOfFile: root + "/etc/hosts", encoding: .utf8) }
        func cleanup() { try? FileManager.default.removeItem(at: dir) }
    }

    /// Plans the front end was asked to review.
    final class Reviews: @unchecked Sendable {
        private let lock = NSLock()
        private var plans: [Plan] = []
        func add(_ plan: Plan) { lock.withLock { plans.append(plan) } }
        var count: Int { lock.withLock { plans.count } }
    }

    @Test func applyAndRollbackRefuseWhileAnInterruptedRunIsUnrecorded() throws {
        let w = try World()
        defer { w.cleanup() }
        let reviews = Reviews()
        let engine = try w.engine(reviewed: reviews)
        let first = try engine.apply(try w.session.plan(playbook: "pin", assignments: []))
        #expect(first.status == .applied)
        let count = reviews.count
        // A run that died: its journal is left, with a pid that is not alive.
        var dead = first
        dead.id = "20000101-000000-dead"
        try Journal(record: dead, pid: Int32.max).save(in: engine.store.runtimeDir)

        let plan = try w.session.plan(playbook: "pin", assignments: [])
        #expect(throws: EngineError.interruptedRunPending(id: dead.id)) { try engine.apply(plan) }
        #expect(throws: EngineError.interruptedRunPending(id: dead.id)) {
            try engine.rollback(RollbackRequest(target: .run(first.id)))
        }
        #expect(reviews.count == count, "nothing may be offered for review while a run is pending")
        #expect(try w.hostsFile() == Self.hosts + "10.1.2.3 a.test\n")
    }

    @Test func everyDecisionIsTakenUnderTheLock() throws {
        let w = try World()
        defer { w.cleanup() }
        let engine = try w.engine()
        let applied = try engine.apply(try w.session.plan(playbook: "pin", assignments: []))
        let undone = try engine.rollback(RollbackRequest(target: .run(applied.id)))
        #expect(undone.status == .applied)
        #expect(throws: EngineError.alreadyRolledBack(id: applied.id, by: undone.id)) {
            try engine.rollback(RollbackRequest(target: .run(applied.id)))
        }
        // While another process holds the lock, even that answer waits for it: no decision is made outside it.
        let held = try StateLock.acquire(in: engine.store.runtimeDir, command: "someone else")
        defer { held.release() }
        #expect(throws: LockError.self) { try engine.rollback(RollbackRequest(target: .run(applied.id))) }
        #expect(throws: LockError.self) { try engine.recover(undo: true) }
        #expect(throws: LockError.self) { try engine.apply(try w.session.plan(playbook: "pin", assignments: [])) }
    }

    @Test func rollbackReadsThePreImageAtTheRunsBaseCommitNotItsParent() throws {
        let w = try World()
        defer { w.cleanup() }
        let store = try w.session.openStore()
        let key = RunStore.hostPath("control", "/etc/hosts")
        let before = Data(Self.hosts.utf8)
        let after = Data((Self.hosts + "10.1.2.3 a.test\n").utf8)
        let base = try #require(try store.recordPreImages([("control", "/etc/hosts", before)]))
        // Another commit lands between the run's base and its own commit (it holds other content for the file).
        _ = try store.repo.commit(updates: [key: Data("something else\n".utf8)], message: "drift: elsewhere\n")
        try after.write(to: URL(fileURLWithPath: w.root + "/etc/hosts"))
        let record = RunRecord(
            id: "20261205-000000-beef", kind: .apply, playbook: "pin", cases: [], title: Localized(zh: "t", en: "t"),
            params: [:], status: .applied, started: Date(), finished: Date(), operator: "t", machine: "t",
            command: [], rollbackOf: nil, hosts: ["control"],
            files: [
                FileRecord(
                    host: "control", path: "/etc/hosts", op: .modify, beforeSHA256: SHA256.hex(before),
                    afterSHA256: SHA256.hex(after), beforeMeta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()),
                    afterMeta: nil, binary: false, notes: [], diff: "", status: .done)
            ], commands: [], order: ["file:0"], verify: [], notes: [], notUndoable: [], error: nil, baseCommit: base)
        try store.commitRun(record, contents: [key: after])
        let entry = try store.run(record.id)
        #expect(entry.commit.parents.first != base)
        let (plan, conflicts) = try RollbackPlanner(store: store, hosts: w.session.hosts).plan(for: entry, force: false)
        #expect(conflicts.isEmpty)
        #expect(plan.fileChanges.first?.after == before)
    }
}
