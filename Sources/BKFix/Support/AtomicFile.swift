import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one atomic writer: bkfix's own files (journal, plan files) and the control machine's files (LocalTransport).
///
/// A temp file with a random name is created next to the target with `O_CREAT|O_EXCL|O_NOFOLLOW` (so a file or
/// symlink planted under a guessable name is never opened or followed), fully written, given its owner and mode,
/// fsynced, renamed over the target, and the directory fsynced: readers see the old bytes or the new ones, never a
/// torn file, and a crash leaves at most a stray `.NAME.bkfix-XXXX` temp file.
public enum AtomicFile {
    /// Where an atomic write failed: the step (as an operator reads it) and the errno, so each caller can word its
    /// own error.
    public struct Failure: Error, Equatable {
        /// "write", "change the owner of", "change the mode of", "sync" or "replace".
        public var operation: String
        public var code: Int32
    }

    /// Writes bkfix's own file `path` (created with exactly `mode`, owned by whoever runs bkfix).
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        do {
            try replace(path, with: data, mode: mode, owner: nil)
        } catch {
            throw AtomicFileError.cannotWrite(path: path, reason: String(cString: strerror(error.code)))
        }
    }

    /// Atomically replaces or creates `path` with `data`, `mode` (permission and set-id bits, umask ignored) and,
    /// when given and different from the creator's, `owner`. A symlink at `path` is replaced, not followed: callers
    /// that write through links resolve them first.
    public static func replace(
        _ path: String, with data: Data, mode: mode_t, owner: (uid: uid_t, gid: gid_t)?
    ) throws(Failure) {
        let dir = (path as NSString).deletingLastPathComponent
        let name = String((path as NSString).lastPathComponent.prefix(200))  // stays under NAME_MAX
        var temp = ""
        var fd: Int32 = -1
        for _ in 0..<8 {
            temp = (dir.isEmpty ? "." : dir) + "/.\(name).bkfix-\(randomSuffix())"
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Failure(operation: "write", code: errno) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temp) }
        }
        try writeAll(data, to: fd)
        if let owner {
            var current = stat()
            guard fstat(fd, &current) == 0 else { throw Failure(operation: "write", code: errno) }
            if current.st_uid != owner.uid || current.st_gid != owner.gid {
                guard fchown(fd, owner.uid, owner.gid) == 0 else {
                    throw Failure(operation: "change the owner of", code: errno)
                }
            }
        }
        // After fchown, which clears set-id bits.
        guard fchmod(fd, mode & 0o7777) == 0 else { throw Failure(operation: "change the mode of", code: errno) }
        guard fsync(fd) == 0 else { throw Failure(operation: "sync", code: errno) }
        closed = true
        guard close(fd) == 0 else { throw Failure(operation: "write", code: errno) }
        guard rename(temp, path) == 0 else { throw Failure(operation: "replace", code: errno) }
        renamed = true
        let dirFD = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }

    /// 64 random bits in hex: the temp name cannot be guessed ahead of time.
    static func randomSuffix() -> String {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// write(2) until every byte is out; errno is read right where a call fails.
    private static func writeAll(_ data: Data, to fd: Int32) throws(Failure) {
        let code: Int32? = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int32? in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { return EIO }
                offset += count
            }
            return nil
        }
        if let code { throw Failure(operation: "write", code: code) }
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
