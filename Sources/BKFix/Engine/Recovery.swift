import Foundation

/// A managed file whose live content differs from the last content bkfix recorded.
public struct Drift: Sendable, Equatable, Codable {
    public var host: String
    public var path: String
    public var recordedSHA256: String?
    public var liveSHA256: String?
    /// Set when the live file could not be read (its node cannot be reached, say): not drift, but not checked either.
    public var unchecked: String? = nil
}

/// A run whose journal is still there: it was killed or is still running.
public struct PendingRun: Sendable {
    public var journalPath: String
    public var journal: Journal?
    /// True while its process is alive (then it is running, not interrupted).
    public var alive: Bool
}

/// `status` and `recover`: find drift and interrupted runs, and complete their records from the journal so no
/// state is ever lost (SPEC §8).
public struct Recovery: Sendable {
    public var store: RunStore
    public var hosts: HostDirectory

    public init(store: RunStore, hosts: HostDirectory) {
        self.store = store
        self.hosts = hosts
    }

    /// Managed files whose live content differs from the record, except those an interrupted run was changing
    /// (they are reported with that run).
    public func drift() throws -> [Drift] {
        var out: [Drift] = []
        let inFlight = Set(pending().flatMap { $0.journal?.record.files.map { "\($0.host):\($0.path)" } ?? [] })
        for (host, path) in try store.managedFiles() where !inFlight.contains("\(host):\(path)") {
            let recorded = try store.repo.read(RunStore.hostPath(host, path))
            let live: FileSnapshot?
            do {
                live = try hosts.transport(for: host).read(path)
            } catch {
                // An unreachable node is not a deleted file: say it could not be checked, and why.
                out.append(
                    Drift(
                        host: host, path: path, recordedSHA256: recorded.map(SHA256.hex), liveSHA256: nil,
                        unchecked: error.localizedDescription))
                continue
            }
            if live?.data != recorded {
                out.append(
                    Drift(
                        host: host, path: path, recordedSHA256: recorded.map(SHA256.hex),
                        liveSHA256: live.map { SHA256.hex($0.data) }))
            }
        }
        return out
    }

    public func pending() -> [PendingRun] {
        // A run in progress holds the state lock; a journal whose pid is not the holder's is dead even when that pid
        // now belongs to another process (pids are reused, after a reboot above all).
        let holder = StateLock.liveHolder(in: store.runtimeDir)
        return Journal.pending(in: store.runtimeDir).map { entry in
            let alive = entry.journal.map { $0.pid == holder?.pid && Self.isAlive($0.pid) } ?? false
            return PendingRun(
                journalPath: entry.path, journal: entry.journal, alive: alive && entry.journal?.pid != getpid())
        }
    }

    /// Where an unreadable journal is kept: `PATH.unreadable`, or `PATH.unreadable.N` so no earlier one is replaced.
    public static func setAsidePath(for journalPath: String) -> String {
        var candidate = journalPath + ".unreadable"
        var n = 1
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = journalPath + ".unreadable.\(n)"
            n += 1
        }
        return candidate
    }

    /// True when the process exists and is not a zombie (a killed child its parent has not reaped yet).
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }

    /// Completes the record of every interrupted run: each file is classified by its live hash (done if it has the
    /// planned content, untouched if it still has the old one), and the run is committed as `interrupted`.
    /// With `undo`, the files that were changed are put back first and the run is recorded as undone.
    public func recover(undo: Bool) throws -> [RunRecord] {
        var recovered: [RunRecord] = []
        for p in pending() where !p.alive {
            guard var record = p.journal?.record else {
                // A journal that cannot be read is kept aside, never deleted: it is evidence.
                rename(p.journalPath, Self.setAsidePath(for: p.journalPath))
                continue
            }
            var contents: [String: Data?] = [:]
            for i in record.files.indices {
                let f = record.files[i]
                let transport = try hosts.transport(for: f.host)
                let live = try transport.read(f.path)
                let liveSHA = live.map { SHA256.hex($0.data) }
                if liveSHA == f.afterSHA256 && liveSHA != f.beforeSHA256 {
                    record.files[i].status = .done
                } else if liveSHA == f.beforeSHA256 {
                    record.files[i].status = .skipped
                    continue
                } else {
                    record.files[i].status = .failed
                    record.files[i].notes.append(
                        "content after the interruption matches neither the old nor the new version")
                }
                if undo, let base = record.baseCommit {
                    let before = try store.repo.read(RunStore.hostPath(f.host, f.path), at: base)
                    if record.files[i].status == .failed {
                        // Changed by someone after the interruption: keep those bytes in git before undoing.
                        try store.recordPreImages([(f.host, f.path, live?.data)])
                        record.files[i].notes.append("the content found was recorded as drift before undoing")
                    }
                    contents[RunStore.hostPath(f.host, f.path)] = .some(before)
                    if let before {
                        try transport.write(
                            f.path, data: before,
                            meta: f.beforeMeta ?? live?.meta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
                    } else {
                        try transport.remove(f.path)
                    }
                    record.files[i].status = .skipped
                    record.files[i].notes.append("undone by recover")
                    continue
                }
                contents[RunStore.hostPath(f.host, f.path)] = .some(live?.data)
            }
            for i in record.commands.indices where record.commands[i].status == .started {
                record.commands[i].status = .failed
                record.commands[i].summary += " (interrupted while running: outcome unknown)"
            }
            for i in record.commands.indices where record.commands[i].status == .pending {
                record.commands[i].status = .skipped
            }
            record.status = .interrupted
            record.finished = Date()
            record.error =
                (record.error.map { $0 + "; " } ?? "") + "interrupted (pid \(p.journal?.pid ?? 0) died); recovered"
                + (undo ? " and file changes undone" : "")
            try store.commitRun(record, contents: contents)
            unlink(p.journalPath)
            recovered.append(record)
        }
        return recovered
    }
}
