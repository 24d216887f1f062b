import Foundation

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// Writes test scripts so that running them cannot fail with "text file busy" (ETXTBSY): tests run in parallel,
/// and a child spawned by another test while a script is open for writing would inherit that descriptor (and keep
/// the script busy for its whole life) unless it is close-on-exec.
enum ExecutableScript {
    static func write(_ text: String, to path: String, mode: mode_t = 0o755) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += n
        }
        guard fchmod(fd, mode) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Runs `body` again while it fails with ETXTBSY: the close-on-exec descriptor of a script written a moment ago
    /// can still be open in a child that another test is spawning at that very instant.
    static func retryingBusyText<T>(_ body: () throws -> T) throws -> T {
        for _ in 0..<20 {
            do {
                return try body()
            } catch ProcessRunnerError.spawnFailed(_, let code) where code == ETXTBSY {
                usleep(50_000)
            }
        }
        return try body()
    }
}
