import Foundation
import Testing

@testable import BKFix

@Suite struct LargeLogTests {
    /// The peak resident memory of `bkfix diagnose -` reading `file` through a pipe, taken from its own
    /// `/proc/PID/status` (VmHWM) after the whole file was written and before the pipe is closed, so the process is
    /// still alive and has read all of it. (The test process's own peak would count every test running beside this
    /// one, and `wait4`'s figure counts the test process too, which the child was spawned from.)
    static func peakWhileStreaming(_ file: URL) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLISandbox.binary)
        process.arguments = ["diagnose", "--json", "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = try FileHandle(forReadingFrom: file)
        defer { try? reader.close() }
        while let chunk = try reader.read(upToCount: 1 << 20), !chunk.isEmpty {
            try input.fileHandleForWriting.write(contentsOf: chunk)
        }
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
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
        let peak = try Self.peakWhileStreaming(url)
        #expect(peak > 0 && peak < 60 * 1024 * 1024, "bkfix diagnose peaked at \(peak / 1024 / 1024) MiB for 64 MiB")
    }

    @Test func hugeSingleLineIsCutNotBuffered() throws {
        var d = Diagnoser(catalog: CatalogFixture.catalog)
        d.maxLineBytes = 1024
        let text = String(repeating: "x", count: 100_000) + "helmfile: command not found\nhelmfile: command not found\n"
        let findings = d.diagnose(text: text)
        #expect(findings.first?.evidence.map(\.line) == [2])
    }
}
