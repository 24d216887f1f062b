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

    /// The record of an interrupted run as far as it got, classified from the live files: a file with its planned
    /// content is done, one with its old content was not changed, one with neither is `unknown` (someone changed
    /// it after the crash; its content is recorded, never lost); a command that was running is `unknown` (it counts
    /// as having run), one that never started is skipped. The run is `interrupted`.
    public func classify(_ journal: Journal) throws -> (record: RunRecord, contents: [String: Data?]) {
        var record = journal.record
        var contents: [String: Data?] = [:]
        for i in record.files.indices {
            let f = record.files[i]
            guard f.status != .pending && f.status != .skipped else {
                record.files[i].status = .skipped
                continue
            }
            let live = try hosts.transport(for: f.host).read(f.path)
            let liveSHA = live.map { SHA256.hex($0.data) }
            if liveSHA == f.beforeSHA256 {
                record.files[i].status = .skipped
                continue
            }
            if liveSHA == f.afterSHA256 {
                record.files[i].status = .done
            } else {
                record.files[i].status = .unknown
                record.files[i].notes.append(
                    "content after the interruption matches neither the old nor the new version; it is recorded")
            }
            contents[RunStore.hostPath(f.host, f.path)] = .some(live?.data)
        }
        for i in record.commands.indices {
            switch record.commands[i].status {
            case .started: record.commands[i].status = .unknown
            case .pending: record.commands[i].status = .skipped
            case .done, .failed, .skipped, .unknown: break
            }
        }
        record.status = .interrupted
        record.finished = Date()
        record.error =
            (record.error.map { $0 + "; " } ?? "") + "interrupted (pid \(journal.pid) died while it ran); recovered"
        return (record, contents)
    }

    /// The run a journal names when it is already in the state repo (bkfix died after committing it, before
    /// removing the journal), else nil.
    public func committed(_ id: String) throws -> RunEntry? {
        do {
            let entry = try store.run(id)
            return entry.record.id == id ? entry : nil
        } catch EngineError.unknownRun {
            return nil
        } catch EngineError.ambiguousRun {
            return nil
        }
    }
}
