import Foundation

/// The write-ahead record of a run in progress (`.git/bkfix/journal-<id>.json`), rewritten atomically after every
/// step. If bkfix dies (even `kill -9`), `status` finds it and `recover` completes the record from it.
public struct Journal: Codable, Sendable {
    public var record: RunRecord
    public var pid: Int32

    public static func path(in runtimeDir: String, id: String) -> String {
        (runtimeDir as NSString).appendingPathComponent("journal-\(id).json")
    }

    /// Writes the journal with temp file, fsync and rename, so it is never torn.
    public func save(in runtimeDir: String) throws {
        let data = try RunStore.encoder.encode(self)
        try AtomicFile.write(data, to: Self.path(in: runtimeDir, id: record.id), mode: 0o600)
    }

    public static func remove(in runtimeDir: String, id: String) {
        unlink(path(in: runtimeDir, id: id))
    }

    /// Every journal left in the runtime dir (runs that did not finish), oldest first.
    public static func pending(in runtimeDir: String) -> [(path: String, journal: Journal?)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runtimeDir)) ?? [])
            .filter { $0.hasPrefix("journal-") && $0.hasSuffix(".json") }.sorted()
        return names.map { name in
            let p = (runtimeDir as NSString).appendingPathComponent(name)
            let j = FileManager.default.contents(atPath: p).flatMap {
                try? RunStore.decoder.decode(Journal.self, from: $0)
            }
            return (p, j)
        }
    }
}

/// Small atomic write for bkfix's own files (journal, plan files): temp in the same dir, fsync, rename, fsync dir.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let dir = (path as NSString).deletingLastPathComponent
        let tmp = (dir as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).tmp-\(getpid())")
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw AtomicFileError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        // errno is read right where a call fails: read later, it may describe an earlier, harmless failure.
        var reason: String?
        data.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 {
                    reason = String(cString: strerror(errno))
                    break
                }
                off += n
            }
        }
        if reason == nil && fsync(fd) != 0 { reason = String(cString: strerror(errno)) }
        close(fd)
        if reason == nil && rename(tmp, path) != 0 { reason = String(cString: strerror(errno)) }
        if let reason {
            unlink(tmp)
            throw AtomicFileError.cannotWrite(path: path, reason: reason)
        }
        let dfd = open(dir, O_RDONLY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}

/// Failure to write one of bkfix's own files.
public enum AtomicFileError: LocalizedError, Equatable {
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        }
    }
}
