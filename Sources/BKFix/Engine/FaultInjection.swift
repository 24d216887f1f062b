import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A moment of a run where a crash would leave a different state behind: before and after each file write, each
/// journal write and each commit, and each command's start and end.
public enum FaultMoment: String, CaseIterable, Sendable {
    case beforeJournalWrite = "journal-write.before"
    case afterJournalWrite = "journal-write.after"
    case beforeCommit = "commit.before"
    case afterCommit = "commit.after"
    case beforeFileWrite = "file-write.before"
    case afterFileWrite = "file-write.after"
    case commandStart = "command.start"
    case commandEnd = "command.end"

    /// Moments that happen on a host (control or a node) and name it.
    public var onHost: Bool {
        switch self {
        case .beforeFileWrite, .afterFileWrite, .commandStart, .commandEnd: return true
        case .beforeJournalWrite, .afterJournalWrite, .beforeCommit, .afterCommit: return false
        }
    }
}

/// TEST-ONLY fault injection, inert unless its environment variables are set.
///
/// Every point a run passes has a name, `<moment>[@<host>]#<n>` (`file-write.before@node-1#1`,
/// `journal-write.after#3`): the moment, the host for file and command moments, and which occurrence of that
/// moment (and host) it is. With `BKFIX_FAULT=<name>` bkfix kills itself with SIGKILL when it reaches that point,
/// exactly as `kill -9` would; with `BKFIX_FAULT_TRACE=<file>` it appends the name of every point it passes, so
/// tests enumerate the points from the engine itself instead of a list that could drift.
public final class FaultInjector: Sendable {
    let target: String?
    /// A kill is armed: the run then writes to one node at a time (Applier), so the kill always lands between two
    /// ssh calls. Killed while another node's call is on its way, the orphaned ssh could still write after the test's
    /// `recover` looked, which says nothing about the engine.
    var armed: Bool { target != nil }
    let traceFile: String?
    private let seen = Mutex<[String: Int]>([:])

    public init(environment: [String: String]) {
        target = environment["BKFIX_FAULT"].flatMap { $0.isEmpty ? nil : $0 }
        traceFile = environment["BKFIX_FAULT_TRACE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The name of an occurrence: `moment[@host]#n`.
    public static func name(_ moment: FaultMoment, host: String?, occurrence: Int) -> String {
        moment.rawValue + (moment.onHost ? "@\(host ?? "control")" : "") + "#\(occurrence)"
    }

    /// Marks that the run reached `moment` (on `host`); dies there when it is the configured point.
    public func reach(_ moment: FaultMoment, host: String? = nil) {
        guard target != nil || traceFile != nil else { return }
        let key = moment.rawValue + (moment.onHost ? "@\(host ?? "control")" : "")
        let n = seen.withLock { counts in
            counts[key, default: 0] += 1
            return counts[key]!
        }
        let point = Self.name(moment, host: host, occurrence: n)
        if let traceFile { Self.append(point + "\n", to: traceFile) }
        if point == target {
            kill(getpid(), SIGKILL)
            while true { pause() }
        }
    }

    private static func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }
}
