import Foundation
import Synchronization
import Testing

@testable import BKFix

@Suite struct StateLockTests {
    func lockDir() throws -> String { try Fixtures.tempDir("lock").path }

    func writeLockFile(_ holder: LockHolder, in dir: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(holder).write(to: URL(fileURLWithPath: dir + "/lock"))
    }

    /// The pid of a process that has exited and been reaped.
    func deadPid() throws -> Int32 {
        var pid = pid_t()
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
        defer { for pointer in argv { free(pointer) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, nil) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return pid
    }

    @Test func lockFileNamesTheHolder() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lock = try StateLock.acquire(in: dir, command: "bkfix apply hub-hosts")
        defer { lock.release() }
        #expect(lock.clearedStale == nil)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let holder = try decoder.decode(LockHolder.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/lock")))
        #expect(holder.pid == getpid())
        #expect(holder.command == "bkfix apply hub-hosts")
        #expect(holder == lock.holder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["lock"])
    }

    @Test func secondAcquireFailsAtOnceWithHolderInfo() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try StateLock.acquire(in: dir, command: "bkfix apply hub-hosts")
        defer { first.release() }
        do {
            _ = try StateLock.acquire(in: dir, command: "bkfix rollback --last")
            Issue.record("second acquire should fail")
        } catch let error as LockError {
            #expect(error == .held(lockFile: dir + "/lock", holder: first.holder))
            let message = error.errorDescription ?? ""
            #expect(message.contains("locked by pid \(getpid())"))
            #expect(message.contains("'bkfix apply hub-hosts'"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["lock"])
    }

    @Test func releaseThenAcquireWorks() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try StateLock.acquire(in: dir, command: "one")
        first.release()
        first.release()  // idempotent
        #expect(!FileManager.default.fileExists(atPath: dir + "/lock"))
        let second = try StateLock.acquire(in: dir, command: "two")
        #expect(second.clearedStale == nil)
        second.release()
    }

    @Test func deinitReleases() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do { _ = try StateLock.acquire(in: dir, command: "scoped") }
        let again = try StateLock.acquire(in: dir, command: "after")
        again.release()
    }

    @Test func lockOfDeadProcessIsClearedAndReported() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = LockHolder(
            pid: try deadPid(), user: "ops", host: LockHolder.hostName(),
            command: "bkfix apply raise-quota", started: Date(timeIntervalSince1970: 1_780_000_000))
        try writeLockFile(dead, in: dir)
        let lock = try StateLock.acquire(in: dir, command: "bkfix status")
        defer { lock.release() }
        #expect(lock.clearedStale == dead)
        #expect(lock.holder.pid == getpid())
    }

    @Test func unreadableLeftoverLockIsClearedToo() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data().write(to: URL(fileURLWithPath: dir + "/lock"))
        let lock = try StateLock.acquire(in: dir, command: "bkfix status")
        defer { lock.release() }
        #expect(lock.clearedStale == LockHolder.unknown)
    }

    @Test func lockFromAnotherHostIsNeverCleared() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let remote = LockHolder(
            pid: 1, user: "ops", host: "some-other-host-\(UUID())", command: "bkfix apply x",
            started: Date(timeIntervalSince1970: 1_780_000_000))
        try writeLockFile(remote, in: dir)
        #expect(throws: LockError.held(lockFile: dir + "/lock", holder: remote)) {
            try StateLock.acquire(in: dir, command: "bkfix status")
        }
    }

    @Test func missingDirectoryIsAnIOError() {
        #expect(throws: LockError.self) { try StateLock.acquire(in: "/nonexistent/state", command: "x") }
    }

    @Test func racingThreadsHaveExactlyOneWinner() throws {
        let dir = try lockDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for round in 0..<10 {
            // Half the rounds start from a stale lock, so the racers also race to clear it.
            if round % 2 == 1 {
                try writeLockFile(
                    LockHolder(
                        pid: try deadPid(), user: "x", host: LockHolder.hostName(), command: "x",
                        started: Date()), in: dir)
            }
            let winners = Mutex<[StateLock]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                if let lock = try? StateLock.acquire(in: dir, command: "racer \(index)") {
                    winners.withLock { $0.append(lock) }
                }
            }
            let won = winners.withLock { $0 }
            #expect(won.count == 1, "round \(round)")
            for lock in won { lock.release() }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [], "round \(round)")
        }
    }
}
