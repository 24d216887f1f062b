import Foundation
import Testing

@testable import BKFix

/// The one atomic writer: exact mode, no temp file left behind, no planted name ever opened.
@Suite struct AtomicFileTests {
    func dir() throws -> String { try Fixtures.tempDir("atomic").path }

    func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func writesTheBytesWithExactlyTheModeAskedAndLeavesNoTempFile() throws {
        let d = try dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        try AtomicFile.write(Data("one\n".utf8), to: d + "/journal.json", mode: 0o640)
        try AtomicFile.write(Data("two\n".utf8), to: d + "/journal.json", mode: 0o600)
        #expect(FileManager.default.contents(atPath: d + "/journal.json") == Data("two\n".utf8))
        var st = stat()
        #expect(stat(d + "/journal.json", &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o600)
        #expect(entries(d) == ["journal.json"])
    }

    @Test func aFailedRenameRemovesTheTempFileAndSaysWhy() throws {
        let d = try dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        // A non-empty directory where the file should go: rename(2) fails after the temp file was written.
        try FileManager.default.createDirectory(atPath: d + "/plan.json/inner", withIntermediateDirectories: true)
        #expect {
            try AtomicFile.write(Data("x".utf8), to: d + "/plan.json")
        } throws: { error in
            guard case .cannotWrite(let path, let reason) = error as? AtomicFileError else { return false }
            return path == d + "/plan.json" && !reason.isEmpty
        }
        #expect(entries(d) == ["plan.json"])
    }

    @Test func aSymlinkAtTheTargetIsReplacedNeverFollowed() throws {
        let d = try dir()
        defer { try? FileManager.default.removeItem(atPath: d) }
        try Data("victim\n".utf8).write(to: URL(fileURLWithPath: d + "/victim"))
        #expect(symlink(d + "/victim", d + "/plan.json") == 0)
        try AtomicFile.write(Data("plan\n".utf8), to: d + "/plan.json")
        #expect(FileManager.default.contents(atPath: d + "/victim") == Data("victim\n".utf8))
        var st = stat()
        #expect(lstat(d + "/plan.json", &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFREG)
    }

    @Test func tempNamesAreRandomNotThePid() {
        let names = Set((0..<100).map { _ in AtomicFile.randomSuffix() })
        #expect(names.count == 100)
        #expect(names.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
    }
}
