import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// A child started by ProcessRunner gets stdin, stdout and stderr only, never a descriptor some thread of bkfix
/// (or of the test process) happened to have open without O_CLOEXEC.
@Suite struct ProcessRunnerInheritanceTests {
    @Test func aDescriptorOpenWithoutCloseOnExecDoesNotReachTheChild() throws {
        let dir = try Fixtures.tempDir("runner-fds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fd = open(dir.appendingPathComponent("held").path, O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 3)
        defer { close(fd) }
        let result = try ProcessRunner.run(
            ["/bin/sh", "-c", "if [ -e /proc/self/fd/\(fd) ]; then echo inherited; else echo closed; fi"],
            workdir: nil, environment: ["PATH": "/usr/bin:/bin"], timeout: 10, output: nil)
        #expect(result.stdout == "closed\n")
    }

    @Test func aScriptWrittenWhileAChildRunsCanBeRunAtOnce() throws {
        let dir = try Fixtures.tempDir("runner-fds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("tool").path
        let fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        try #require(fd >= 0)
        // A long-lived child starts while the script is still open for writing (as in parallel tests) ...
        let sleeper = Thread {
            _ = try? ProcessRunner.run(["/bin/sleep", "2"], workdir: nil, environment: [:], timeout: 5, output: nil)
        }
        sleeper.start()
        usleep(200_000)
        let text = Array("#!/bin/sh\necho ran\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        // ... and the script runs at once instead of failing with "text file busy".
        let result = try ProcessRunner.run([script], workdir: nil, environment: [:], timeout: 10, output: nil)
        #expect(result.stdout == "ran\n")
    }
}
