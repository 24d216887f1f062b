import Foundation

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
