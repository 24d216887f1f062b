import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Who holds the state repo lock, as written in the lock file.
public struct LockHolder: Codable, Sendable, Equatable {
    public var pid: Int32
    public var user: String
    public var host: String
    public var command: String
    public var started: Date

    public init(pid: Int32, user: String, host: String, command: String, started: Date) {
        self.pid = pid
        self.user = user
        self.host = host
        self.command = command
        self.started = started
    }

    /// This process, now: user is `SUDO_USER`, else `USER`, else the passwd name of the uid.
    public static func current(command: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> LockHolder
    {
        LockHolder(
            pid: getpid(), user: operatorName(environment), host: hostName(), command: command,
            started: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
    }

    static func operatorName(_ environment: [String: String]) -> String {
        if let user = environment["SUDO_USER"], !user.isEmpty { return user }
        if let user = environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a lock file that cannot be parsed is reported as.
    static let unknown = LockHolder(pid: 0, user: "?", host: "?", command: "?", started: Date(timeIntervalSince1970: 0))
}

/// Why the state repo lock could not be taken.
public enum LockError: LocalizedError, Equatable {
    case held(lockFile: String, holder: LockHolder)
    case io(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .held(let lockFile, let holder):
            let since = ISO8601DateFormatter().string(from: holder.started)
            return "state repo is locked by pid \(holder.pid) (\(holder.user)@\(holder.host)), running "
                + "'\(holder.command)' since \(since); wait for it to finish or, if that process is gone "
                + "(it may run on another machine), remove \(lockFile)"
        case .io(let path, let reason):
            return "cannot take the state repo lock \(path): \(reason)"
        }
    }
}

/// One bkfix at a time per state repo: `<dir>/lock` holds who runs, and an flock on it proves they still do.
public final class StateLock: @unchecked Sendable {
    public let lockFile: String
    /// The holder of a lock left by a dead process, removed when this one was taken.
    public let clearedStale: LockHolder?
    public let holder: LockHolder
    private let descriptor: Mutex<Int32?>
    /// How often acquire starts over when another process changes the lock file under it.
    static let maxAttempts = 20

    private init(lockFile: String, fd: Int32, holder: LockHolder, clearedStale: LockHolder?) {
        self.lockFile = lockFile
        self.descriptor = Mutex(fd)
        self.holder = holder
        self.clearedStale = clearedStale
    }

    deinit { release() }

    /// Takes `<dir>/lock`, or throws `.held` at once. A lock file nobody holds the flock of, left by a process
    /// on this host, is stale: it is removed and taken, and `clearedStale` tells the caller whose it was.
    ///
    /// The new lock file is written and flocked under a temporary name and then hard-linked to `lock`
    /// (atomic and exclusive, like O_CREAT|O_EXCL), so nobody ever sees it empty or unlocked.
    public static func acquire(in dir: String, command: String) throws -> StateLock {
        let lockFile = (dir as NSString).appendingPathComponent("lock")
        let me = LockHolder.current(command: command)
        var stale: LockHolder?
        for _ in 0..<maxAttempts {
            let (fd, temporary) = try prepareLockedFile(dir: dir, lockFile: lockFile, holder: me)
            if link(temporary, lockFile) == 0 {
                unlink(temporary)
                syncDirectory(dir)
                return StateLock(lockFile: lockFile, fd: fd, holder: me, clearedStale: stale)
            }
            let code = errno
            unlink(temporary)
            close(fd)
            guard code == EEXIST else { throw LockError.io(path: lockFile, reason: String(cString: strerror(code))) }

            let existing = open(lockFile, O_RDONLY | O_CLOEXEC)
            if existing < 0 {
                if errno == ENOENT { continue }  // released meanwhile: try again
                throw LockError.io(path: lockFile, reason: String(cString: strerror(errno)))
            }
            defer { close(existing) }
            let holder = readHolder(existing)
            guard flock(existing, LOCK_EX | LOCK_NB) == 0 else {
                if let holder, holder.host == me.host, kill(holder.pid, 0) != 0 && errno == ESRCH {
                    // A dead holder's flock is held by another bkfix clearing it right now: look again shortly.
                    usleep(10_000)
                    continue
                }
                throw LockError.held(lockFile: lockFile, holder: holder ?? .unknown)
            }
            // We hold the flock of the inode we opened; make sure it is still the one named `lock`.
            guard sameFile(existing, lockFile) else { continue }
            if let holder, holder.host != me.host {
                // A lock from another machine sharing this directory: its pid cannot be checked from here.
                throw LockError.held(lockFile: lockFile, holder: holder)
            }
            unlink(lockFile)
            stale = holder ?? .unknown
        }
        throw LockError.io(path: lockFile, reason: "the lock file kept changing while trying to take it")
    }

    /// Who holds `<dir>/lock` right now (its flock is held, by another process or this one), or nil.
    public static func liveHolder(in dir: String) -> LockHolder? {
        let fd = open((dir as NSString).appendingPathComponent("lock"), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return nil }
        return readHolder(fd) ?? .unknown
    }

    /// Releases the lock (idempotent): removes the lock file if it is still ours, then drops the flock.
    public func release() {
        descriptor.withLock { fd in
            guard let open = fd else { return }
            if Self.sameFile(open, lockFile) { unlink(lockFile) }
            close(open)
            fd = nil
        }
    }

    /// A temp file in `dir` holding `holder` as JSON, fsynced and flocked; returns its descriptor and path.
    private static func prepareLockedFile(dir: String, lockFile: String, holder: LockHolder) throws -> (Int32, String) {
        let path = (dir as NSString).appendingPathComponent(".lock.\(getpid()).\(UInt64.random(in: 0...UInt64.max))")
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LockError.io(path: lockFile, reason: String(cString: strerror(errno))) }
        func fail(_ reason: String) -> LockError {
            unlink(path)
            close(fd)
            return LockError.io(path: lockFile, reason: reason)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard var data = try? encoder.encode(holder) else { throw fail("cannot encode the lock holder") }
        data.append(UInt8(ascii: "\n"))
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw fail(String(cString: strerror(errno))) }
        guard fsync(fd) == 0 else { throw fail(String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw fail(String(cString: strerror(errno))) }
        return (fd, path)
    }

    private static func readHolder(_ fd: Int32) -> LockHolder? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(LockHolder.self, from: data)
    }

    private static func sameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    private static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

extension LockError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .held: return .locked
        case .io: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .held: return "locked"
        case .io: return "io"
        }
    }
}
