import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LargeLogTests {
    /// Runs `argv` (output to /dev/null) and returns its exit status and the peak resident memory of that process
    /// alone, from `wait4`: the test process's own peak would count every test running beside this one.
    static func peakRSS(of argv: [String]) throws -> (status: Int32, bytes: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        #expect(spawned == 0, "cannot start \(argv[0])")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        return ((status >> 8) & 0xFF, usage.ru_maxrss * 1024)
    }

    @Test func largeLogStreamsInBoundedMemoryAndFindsErrorsNearTheEnd() throws {
        let dir = try Fixtures.tempDir("biglog")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.log")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        var block = ""
        for i in 0..<2000 {
            block +=
                "2026-11-26 10:00:\(i % 60) [INFO] \u{1B}[32mhelmfile\u{1B}[0m sync release=bk-\(i) STATUS: deployed, waiting for pods Running 1/1\n"
        }
        let blockData = Data(block.utf8)
        let blocks = 64 * 1024 * 1024 / blockData.count
        for _ in 0..<blocks { try handle.write(contentsOf: blockData) }
        try handle.write(contentsOf: Data("scripts/setup_bkce7.sh: line 568: helmfile: command not found\n".utf8))
        try handle.close()
        let lines = blocks * 2000 + 1

        let findings = try Diagnoser(catalog: CatalogFixture.catalog).diagnose(path: url.path)
        #expect(findings.map(\.caseID) == ["helmfile-not-found"])
        #expect(findings.first?.evidence.first?.line == lines)
        // The binary itself takes ~30 MiB before it reads anything; holding the 64 MiB log would take it past 94.
        let run = try Self.peakRSS(of: [CLISandbox.binary, "diagnose", "--json", url.path])
        #expect(run.status == 0)
        #expect(
            run.bytes < 60 * 1024 * 1024, "bkfix diagnose peaked at \(run.bytes / 1024 / 1024) MiB for a 64 MiB log")
    }

    @Test func hugeSingleLineIsCutNotBuffered() throws {
        var d = Diagnoser(catalog: CatalogFixture.catalog)
        d.maxLineBytes = 1024
        let text = String(repeating: "x", count: 100_000) + "helmfile: command not found\nhelmfile: command not found\n"
        let findings = d.diagnose(text: text)
        #expect(findings.first?.evidence.map(\.line) == [2])
    }
}
