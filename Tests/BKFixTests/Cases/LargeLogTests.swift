import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LargeLogTests {
    /// Peak resident memory of this process so far, in bytes.
    static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
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

        let before = Self.peakRSS()
        let findings = try Diagnoser(catalog: CatalogFixture.catalog).diagnose(path: url.path)
        let grown = Self.peakRSS() - before
        #expect(findings.map(\.caseID) == ["helmfile-not-found"])
        #expect(findings.first?.evidence.first?.line == lines)
        #expect(grown < 48 * 1024 * 1024, "peak memory grew by \(grown / 1024 / 1024) MiB for a 64 MiB log")
    }

    @Test func hugeSingleLineIsCutNotBuffered() throws {
        var d = Diagnoser(catalog: CatalogFixture.catalog)
        d.maxLineBytes = 1024
        let text = String(repeating: "x", count: 100_000) + "helmfile: command not found\nhelmfile: command not found\n"
        let findings = d.diagnose(text: text)
        #expect(findings.first?.evidence.map(\.line) == [2])
    }
}
