import Foundation
import Testing

@testable import BKFix

/// A damaged state repo (issue 8's corpus: not a git repository, a broken HEAD, a missing object) is refused with
/// its path and the problem, exit 1 and JSON code `state-repo`, and nothing is written: not the host's files, not
/// the repo. And `bkfix gc` through the binary, and the private modes of everything a real run leaves behind.
@Suite struct StateRepoHealthCLITests {
    static let hosts = "127.0.0.1 localhost\n"

    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", Self.hosts)
        for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try s.standIn(tool) }
        return s
    }

    /// Every path under `path` with its type, mode, size, mtime and (for files) bytes.
    func snapshot(_ path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for file in try FileManager.default.subpathsOfDirectory(atPath: path) + [""] {
            var info = stat()
            guard lstat(path + "/" + file, &info) == 0 else { continue }
            let bytes = FileManager.default.contents(atPath: path + "/" + file).map { SHA256.hex($0) } ?? "-"
            result[file] = "\(info.st_mode) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(bytes)"
        }
        return result
    }

    /// Runs history, show, apply, rollback and gc on the damaged repo: each refused with `problem` in its message.
    func expectRefused(
        _ s: CLISandbox, problem: String,
        commands: [[String]] = [
            ["history"], ["show", "20260101"], ["apply", "hub-hosts", "--yes"], ["rollback", "--last", "--yes"], ["gc"],
        ]
    ) async throws {
        try s.write("/etc/hosts", Self.hosts)  // so that apply has something to change
        let before = try snapshot(s.state)
        let hostsBefore = s.read("/etc/hosts")
        for args in commands {
            let r = try await s.bkfix(args)
            #expect(r.status == 1, "\(args): \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains(s.state) && r.stderr.contains(problem), "\(args): \(r.stderr)")
            let j = try await s.bkfix(args + ["--json"])
            let error = try #require(try CLISandbox.json(j.stdout)["error"] as? [String: Any], "\(args)")
            #expect(error["code"] as? String == "state-repo", "\(args)")
        }
        #expect(s.read("/etc/hosts") == hostsBefore)
        let after = try snapshot(s.state)
        let changed = Set(after.keys).union(before.keys).filter { after[$0] != before[$0] }.sorted()
        #expect(
            changed.isEmpty, "written: \(changed.map { "\($0): \(before[$0] ?? "absent") → \(after[$0] ?? "absent")" })"
        )
    }

    /// Sets a path's modification time an hour back (a damaged repo is not one another bkfix is still creating).
    func age(_ path: String) {
        var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
        utimensat(AT_FDCWD, path, &times, 0)
    }

    @Test func aStateFolderWhoseGitFolderIsNotARepositoryIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try FileManager.default.createDirectory(atPath: s.state + "/.git", withIntermediateDirectories: true)
        try "stray\n".write(toFile: s.state + "/.git/notes.txt", atomically: true, encoding: .utf8)
        age(s.state + "/.git")
        try await expectRefused(s, problem: "is not a git repository")
    }

    @Test func aBrokenHeadIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        try "garbage that is not a ref\n".write(toFile: s.state + "/.git/HEAD", atomically: true, encoding: .utf8)
        try await expectRefused(s, problem: "broken HEAD")
    }

    @Test func aHeadNamingAMissingCommitIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let missing = String(repeating: "1", count: 40)
        try (missing + "\n").write(toFile: s.state + "/.git/refs/heads/main", atomically: true, encoding: .utf8)
        try await expectRefused(s, problem: "HEAD points to commit \(missing)")
    }

    @Test func aMissingObjectIsNamed() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let tree = try await s.git(["rev-parse", "HEAD^{tree}"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: "\(s.state)/.git/objects/\(tree.prefix(2))/\(tree.dropFirst(2))")
        // history answers from the run index and the commit trailers: it reads no tree, and still works.
        try await expectRefused(
            s, problem: "git object \(tree) (tree of HEAD) is missing",
            commands: [["show", runID], ["apply", "hub-hosts", "--yes"], ["rollback", "--last", "--yes"], ["gc"]])
        #expect(try await s.bkfix(["history"]).status == 0)
    }

    @Test func aMissingOldRecordFailsOnlyTheCommandThatNeedsIt() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        #expect(try await s.bkfix(["rollback", runID, "--yes"]).status == 0)
        let record = "runs/\(runID.prefix(4))/\(runID.dropFirst(4).prefix(2))/\(runID).json"
        let blob = try await s.git(["rev-parse", "HEAD:" + record]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(atPath: "\(s.state)/.git/objects/\(blob.prefix(2))/\(blob.dropFirst(2))")

        let history = try await s.bkfix(["history"])
        #expect(history.status == 0 && history.stdout.contains("(rolled back by "), "\(history.stderr)")
        let show = try await s.bkfix(["show", runID])
        #expect(show.status == 1)
        #expect(show.stderr.contains("git object \(blob) (\(record)) is missing"), "\(show.stderr)")
        #expect(show.stderr.contains(s.state))
    }

    @Test func gcPacksTheRepoAndEverythingStaysPrivate() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        for _ in 0..<3 {
            #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
            #expect(try await s.bkfix(["rollback", "--last", "--yes"]).status == 0)
        }
        let r = try await s.bkfix(["gc"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("packed ") && r.stdout.contains("into one pack"), "\(r.stdout)")
        let counts = try await s.git(["count-objects", "-v"]).stdout
        #expect(counts.contains("count: 0\n") && counts.contains("packs: 1\n"), "\(counts)")
        let again = try CLISandbox.json(try await s.bkfix(["gc", "--json"]).stdout)
        #expect(again["packedObjects"] as? Int == 0)
        #expect((again["after"] as? [String: Any])?["packs"] as? Int == 1)
        let fsck = try await s.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.stdout) \(fsck.stderr)")
        let history = try await s.bkfix(["history", "--json"])
        #expect((try CLISandbox.json(history.stdout)["runs"] as? [Any])?.count == 6)

        for file in try FileManager.default.subpathsOfDirectory(atPath: s.state) + [""] {
            var info = stat()
            #expect(lstat(s.state + "/" + file, &info) == 0)
            let mode = info.st_mode & 0o7777
            if info.st_mode & S_IFMT == S_IFDIR {
                #expect(mode == 0o700, "\(file): \(String(mode, radix: 8))")
            } else {
                #expect(mode == 0o600 || mode == 0o400, "\(file): \(String(mode, radix: 8))")
            }
        }
    }
}
