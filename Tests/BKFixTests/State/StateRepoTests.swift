import Foundation
import Testing

@testable import BKFix

/// A temporary state repo plus a git CLI with its own HOME; `cleanup()` removes both.
private struct Sandbox {
    let root: URL
    let git: GitCLI
    var repoPath: String { root.appendingPathComponent("state").path }

    init() throws {
        root = try Fixtures.tempDir("bkfix-state")
        let home = root.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        git = GitCLI(home: home)
    }

    func open() throws -> StateRepo { try StateRepo.open(at: repoPath) }

    func cleanup() { try? FileManager.default.removeItem(at: root) }
}

private func bytes(_ text: String) -> Data { Data(text.utf8) }

private let hostsBefore = "127.0.0.1 localhost\n"
private let hostsAfter = "127.0.0.1 localhost\n10.0.0.5 bkrepo.bktencent.com\n"

private func runMessage(_ runID: String, status: String = "succeeded") -> String {
    """
    apply fix-bkrepo-hosts on control

    Added the bkrepo domain to /etc/hosts.

    Run-Id: \(runID)
    Kind: apply
    Playbook: fix-bkrepo-hosts
    Host: control
    Status: \(status)
    """
}

@Suite struct StateRepoTests {
    @Test func openCreatesPrivateNonBareRepoWithItsOwnIdentity() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let nested = sandbox.root.appendingPathComponent("var/lib/bkfix/state").path

        let repo = try StateRepo.open(at: nested)

        #expect(repo.path == nested)
        let attributes = try FileManager.default.attributesOfItem(atPath: nested)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o777 } == 0o700)
        #expect(try await sandbox.git.output(["rev-parse", "--is-bare-repository"], in: nested) == "false\n")
        #expect(try await sandbox.git.output(["config", "--local", "user.name"], in: nested) == "bkfix\n")
        #expect(try await sandbox.git.output(["config", "--local", "user.email"], in: nested) == "bkfix@localhost\n")
    }

    @Test func emptyRepoHasNoHeadNoLogAndNoFiles() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()

        #expect(try repo.head() == nil)
        #expect(try repo.log().isEmpty)
        #expect(try repo.read("hosts/control/etc/hosts") == nil)
        #expect(try repo.list(under: "hosts").isEmpty)
    }

    @Test func commitIsAPlainGitCommitThatTheGitCLIReads() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        let path = sandbox.repoPath

        try repo.commit(updates: ["hosts/control/etc/hosts": bytes(hostsBefore)], message: runMessage("run-1"))
        let oid = try repo.commit(
            updates: ["hosts/control/etc/hosts": bytes(hostsAfter), "runs/run-2.json": bytes("{\"ok\":true}\n")],
            message: runMessage("run-2"))

        #expect(try repo.head() == oid)
        #expect(try await sandbox.git.output(["rev-parse", "HEAD"], in: path) == oid + "\n")
        let runIDs = try await sandbox.git.output(["log", "--format=%(trailers:key=Run-Id,valueonly)"], in: path)
        #expect(runIDs.split(separator: "\n") == ["run-2", "run-1"])
        let show = try await sandbox.git.output(["show", "HEAD"], in: path)
        #expect(show.contains("+10.0.0.5 bkrepo.bktencent.com"))
        #expect(show.contains("diff --git a/hosts/control/etc/hosts b/hosts/control/etc/hosts"))
        let patches = try await sandbox.git.output(["log", "-p"], in: path)
        #expect(patches.contains("+127.0.0.1 localhost"))
        #expect(patches.contains("+{\"ok\":true}"))
        let mode = try await sandbox.git.output(["ls-tree", "HEAD", "hosts/control/etc/hosts"], in: path)
        #expect(mode.hasPrefix("100644 blob "))
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: path).isEmpty)
        let fsck = try await sandbox.git.run(["fsck", "--strict", "--no-dangling"], in: path)
        #expect(fsck.status == 0)
        #expect(fsck.stdout.isEmpty && fsck.stderr.isEmpty)
        let workingCopy = try Data(contentsOf: URL(fileURLWithPath: path + "/hosts/control/etc/hosts"))
        #expect(workingCopy == bytes(hostsAfter))
    }

    @Test func authorAndCommitterAreBkfixWhateverTheUsersGitconfigSays() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        try "[user]\n\tname = Mallory\n\temail = mallory@example.com\n".write(
            to: sandbox.git.home.appendingPathComponent(".gitconfig"), atomically: true, encoding: .utf8)
        let repo = try sandbox.open()

        try repo.commit(updates: ["runs/r.json": bytes("{}")], message: "record run r")

        let identities = try await sandbox.git.output(["log", "--format=%an <%ae>|%cn <%ce>"], in: sandbox.repoPath)
        #expect(identities == "bkfix <bkfix@localhost>|bkfix <bkfix@localhost>\n")
        let searchPath = try LibGit2.configSearchPath
        #expect(try FileManager.default.contentsOfDirectory(atPath: searchPath).isEmpty)
        #expect(searchPath != NSHomeDirectory())
    }

    @Test func nilUpdateDeletesTheFileFromTreeAndWorkingCopy() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(
            updates: ["hosts/node1/etc/hosts": bytes(hostsBefore), "runs/a.json": bytes("{}")], message: "first")

        try repo.commit(updates: ["hosts/node1/etc/hosts": nil], message: "drop node1")

        #expect(try repo.read("hosts/node1/etc/hosts") == nil)
        #expect(try repo.list(under: "") == ["runs/a.json"])
        #expect(!FileManager.default.fileExists(atPath: sandbox.repoPath + "/hosts"))
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: sandbox.repoPath).isEmpty)
        let stat = try await sandbox.git.output(["show", "--format=", "--name-status", "HEAD"], in: sandbox.repoPath)
        #expect(stat == "D\thosts/node1/etc/hosts\n")
    }

    @Test func deletingAPathThatNeverExistedStillCommits() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(updates: ["runs/a.json": bytes("{}")], message: "first")

        let oid = try repo.commit(updates: ["hosts/ghost/etc/hosts": nil], message: "nothing to delete")

        #expect(try repo.head() == oid)
        #expect(try repo.log().first?.changedPaths == [])
    }

    @Test func aLostIndexDoesNotDropEarlierFilesFromTheNextCommit() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(updates: ["hosts/control/etc/hosts": bytes(hostsBefore)], message: "first")
        try FileManager.default.removeItem(atPath: sandbox.repoPath + "/.git/index")

        try repo.commit(updates: ["runs/r2.json": bytes("{}")], message: "second")

        #expect(try repo.list(under: "") == ["hosts/control/etc/hosts", "runs/r2.json"])
        #expect(try repo.log().first?.changedPaths == ["runs/r2.json"])
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: sandbox.repoPath).isEmpty)
    }

    @Test func filesStagedByHandAreNotSweptIntoABkfixCommit() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(updates: ["runs/r1.json": bytes("{}")], message: "first")
        try Data("stray\n".utf8).write(to: URL(fileURLWithPath: sandbox.repoPath + "/stray.txt"))
        _ = try await sandbox.git.output(["add", "stray.txt"], in: sandbox.repoPath)

        try repo.commit(updates: ["runs/r2.json": bytes("{}")], message: "second")

        #expect(try repo.read("stray.txt") == nil)
        #expect(try repo.log().first?.changedPaths == ["runs/r2.json"])
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: sandbox.repoPath) == "?? stray.txt\n")
    }

    @Test func readAtAnOlderCommitReturnsThatCommitsBytes() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        let first = try repo.commit(updates: ["hosts/control/etc/hosts": bytes(hostsBefore)], message: "before")
        let second = try repo.commit(updates: ["hosts/control/etc/hosts": bytes(hostsAfter)], message: "after")

        #expect(try repo.read("hosts/control/etc/hosts", at: first) == bytes(hostsBefore))
        #expect(try repo.read("hosts/control/etc/hosts", at: second) == bytes(hostsAfter))
        #expect(try repo.read("hosts/control/etc/hosts") == bytes(hostsAfter))
        #expect(try repo.read("hosts/control/etc", at: first) == nil)
        #expect(try repo.read("missing/file", at: first) == nil)
    }

    @Test func readAtAnUnknownRevisionThrowsAGitError() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(updates: ["a": bytes("a")], message: "a")

        let error = #expect(throws: StateRepoError.self) {
            try repo.read("a", at: String(repeating: "0", count: 40))
        }
        guard case .git(let operation, let code, _) = error else {
            Issue.record("expected a git error, got \(String(describing: error))")
            return
        }
        #expect(operation.hasPrefix("resolve"))
        #expect(code < 0)
    }

    @Test func logFollowsFirstParentsNewestFirstWithChangedPaths() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        let first = try repo.commit(
            updates: ["hosts/control/etc/hosts": bytes(hostsBefore), "runs/r1.json": bytes("{}")],
            message: runMessage("r1"))
        let second = try repo.commit(updates: ["runs/r2.json": bytes("{}")], message: runMessage("r2"))
        let third = try repo.commit(
            updates: ["hosts/control/etc/hosts": bytes(hostsAfter), "runs/r1.json": nil, "runs/r3.json": bytes("{}")],
            message: runMessage("r3", status: "failed"))

        let log = try repo.log()

        #expect(log.map(\.oid) == [third, second, first])
        #expect(log.map(\.parents) == [[second], [first], []])
        #expect(
            log.map(\.changedPaths) == [
                ["hosts/control/etc/hosts", "runs/r1.json", "runs/r3.json"], ["runs/r2.json"],
                ["hosts/control/etc/hosts", "runs/r1.json"],
            ])
        #expect(log[0].subject == "apply fix-bkrepo-hosts on control")
        #expect(log[0].message == runMessage("r3", status: "failed"))
        #expect(log[0].trailers["Run-Id"] == "r3")
        #expect(log[0].trailers["Status"] == "failed")
        #expect(abs(log[0].time.timeIntervalSinceNow) < 120)
        #expect(try repo.log(limit: 2).map(\.oid) == [third, second])
        #expect(try repo.log(limit: 0).isEmpty)
    }

    @Test func listReturnsFilesUnderADirectoryRecursivelyAndSorted() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        let first = try repo.commit(
            updates: [
                "hosts/node2/etc/hosts": bytes("b"), "hosts/control/etc/hosts": bytes("a"),
                "hosts/control/root/bkce7.1-install/blueking/environments/default/custom.yaml": bytes("c"),
                "runs/r.json": bytes("{}"),
            ], message: "files")
        try repo.commit(updates: ["hosts/node3/etc/hosts": bytes("d")], message: "more")

        #expect(
            try repo.list(under: "hosts/control") == [
                "hosts/control/etc/hosts",
                "hosts/control/root/bkce7.1-install/blueking/environments/default/custom.yaml",
            ])
        #expect(try repo.list(under: "hosts/").count == 4)
        #expect(try repo.list(under: "hosts", at: first).count == 3)
        #expect(try repo.list(under: "runs/r.json").isEmpty)
        #expect(try repo.list(under: "nowhere").isEmpty)
    }

    @Test func binaryContentRoundTripsByteForByte() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        var generator = SystemRandomNumberGenerator()
        var words = [UInt64](repeating: 0, count: 8 * 1024 * 1024 / 8)
        for index in words.indices { words[index] = generator.next() }
        var binary = words.withUnsafeBytes { Data($0) }
        binary.replaceSubrange(0..<4, with: [0x7F, 0x45, 0x4C, 0x46])
        binary.append(contentsOf: [0, 0, 0x0D, 0x0A, 0x0A])

        try repo.commit(updates: ["hosts/control/usr/local/bin/helm": binary], message: "install helm")

        #expect(try repo.read("hosts/control/usr/local/bin/helm") == binary)
        let size = try await sandbox.git.output(
            ["cat-file", "-s", "HEAD:hosts/control/usr/local/bin/helm"],
            in: sandbox.repoPath)
        #expect(size == "\(binary.count)\n")
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: sandbox.repoPath).isEmpty)
        #expect(try repo.read("empty") == nil)
        try repo.commit(updates: ["empty": Data()], message: "empty file")
        #expect(try repo.read("empty") == Data())
    }

    @Test func reopeningKeepsHistoryAndAnotherHandleSeesNewCommits() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let oid = try sandbox.open().commit(updates: ["runs/a.json": bytes("{}")], message: "a")

        let reopened = try StateRepo.open(at: sandbox.repoPath, create: false)

        #expect(try reopened.head() == oid)
        #expect(try reopened.read("runs/a.json") == bytes("{}"))
    }

    @Test func openWithoutCreateOnAMissingDirectoryThrowsAndCreatesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }

        #expect(throws: StateRepoError.self) { try StateRepo.open(at: sandbox.repoPath, create: false) }
        #expect(!FileManager.default.fileExists(atPath: sandbox.repoPath))
    }

    @Test func aFileWhereTheParentDirectoryShouldBeGivesCannotCreateNamingThePath() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let blocker = sandbox.root.appendingPathComponent("file")
        try Data("not a dir".utf8).write(to: blocker)
        let wanted = blocker.appendingPathComponent("state").path

        let error = #expect(throws: StateRepoError.self) { try StateRepo.open(at: wanted) }

        guard case .cannotCreate(let path, let reason) = error else {
            Issue.record("expected cannotCreate, got \(String(describing: error))")
            return
        }
        #expect(path == wanted)
        #expect(reason == "\(blocker.path) is a file, not a directory")
        #expect(error?.errorDescription?.contains(wanted) == true)
        let deeper = blocker.appendingPathComponent("var/lib/state").path
        #expect(throws: StateRepoError.cannotCreate(path: deeper, reason: "\(blocker.path) is a file, not a directory"))
        {
            try StateRepo.open(at: deeper)
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root can write anywhere"))
    func aReadOnlyParentGivesCannotCreateNamingIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let parent = sandbox.root.appendingPathComponent("readonly")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        chmod(parent.path, 0o500)
        defer { chmod(parent.path, 0o700) }
        let wanted = parent.appendingPathComponent("state").path

        #expect(throws: StateRepoError.cannotCreate(path: wanted, reason: "\(parent.path) is not writable")) {
            try StateRepo.open(at: wanted)
        }
    }

    @Test func aFileAtTheRepoPathGivesCannotCreate() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: sandbox.repoPath))

        #expect(throws: StateRepoError.cannotCreate(path: sandbox.repoPath, reason: "it exists and is not a directory"))
        {
            try StateRepo.open(at: sandbox.repoPath)
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root can write anywhere"))
    func aReadOnlyRepoDirectoryGivesNotWritable() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        _ = try sandbox.open()
        chmod(sandbox.repoPath, 0o500)
        defer { chmod(sandbox.repoPath, 0o700) }

        #expect(throws: StateRepoError.notWritable(path: sandbox.repoPath)) { try sandbox.open() }
    }

    @Test(arguments: ["", "/etc/hosts", "../outside", "a/../../b", ".git/config", "a/.GIT/x", "a//b", "a/", "./a"])
    func pathsOutsideTheTreeAreRejectedBeforeAnythingIsWritten(_ badPath: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()

        #expect(
            throws: StateRepoError.git(
                operation: "commit", code: -12, message: "\"\(badPath)\" is not a valid repo-relative file path")
        ) {
            try repo.commit(updates: ["ok.txt": bytes("ok"), badPath: bytes("bad")], message: "bad")
        }
        #expect(try repo.head() == nil)
        #expect(!FileManager.default.fileExists(atPath: sandbox.repoPath + "/ok.txt"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("outside").path))
    }

    @Test func concurrentCommitsToOneRepoAndToSeparateReposAllLand() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let shared = try sandbox.open()
        let otherPaths = (0..<4).map { sandbox.root.appendingPathComponent("other-\($0)").path }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try shared.commit(updates: ["runs/\(index).json": bytes("\(index)")], message: "r\(index)")
                }
            }
            for otherPath in otherPaths {
                group.addTask {
                    let repo = try StateRepo.open(at: otherPath)
                    for index in 0..<3 {
                        try repo.commit(updates: ["f\(index)": bytes("\(index)")], message: "c\(index)")
                    }
                }
            }
            try await group.waitForAll()
        }

        #expect(try shared.log().count == 8)
        #expect(try shared.list(under: "runs").count == 8)
        let fsck = try await sandbox.git.run(["fsck", "--strict"], in: sandbox.repoPath)
        #expect(fsck.status == 0)
        for otherPath in otherPaths {
            #expect(try StateRepo.open(at: otherPath).log().count == 3)
        }
    }
}

extension StateRepoTests {
    @Test func twoHandlesOnTheSameRepoCommitConcurrentlyWithoutLosingCommits() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let first = try sandbox.open()
        let second = try sandbox.open()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<10 {
                let repo = index.isMultiple(of: 2) ? first : second
                group.addTask { try repo.commit(updates: ["runs/\(index).json": bytes("{}")], message: "r\(index)") }
            }
            try await group.waitForAll()
        }

        #expect(try first.log().count == 10)
        #expect(try second.list(under: "runs").count == 10)
        #expect(try await sandbox.git.output(["status", "--porcelain"], in: sandbox.repoPath).isEmpty)
    }
}

@Suite struct CommitTrailerTests {
    @Test func trailersComeFromTheLastParagraph() {
        let trailers = StateRepo.parseTrailers(runMessage("20261126-1912-ab12"))
        #expect(
            trailers == [
                "Run-Id": "20261126-1912-ab12", "Kind": "apply", "Playbook": "fix-bkrepo-hosts", "Host": "control",
                "Status": "succeeded",
            ])
    }

    @Test func aSubjectAloneHasNoTrailers() {
        #expect(StateRepo.parseTrailers("Run-Id: looks like a trailer\n").isEmpty)
    }

    @Test func aLastParagraphWithProseIsNotATrailerBlock() {
        #expect(StateRepo.parseTrailers("subject\n\nRun-Id: r1\nthis line is prose\n").isEmpty)
    }

    @Test func indentedLinesContinueTheValueAndTheLastRepeatWins() {
        let message = "subject\n\nbody\n\nCase: bkrepo-dns\n  unresolved\nHost: a\nHost: b\n\n\n"
        #expect(StateRepo.parseTrailers(message) == ["Case": "bkrepo-dns unresolved", "Host": "b"])
    }

    @Test func crlfAndEmptyValuesAreHandled() {
        #expect(
            StateRepo.parseTrailers("s\r\n\r\nRollback-Of:\r\nStatus: ok\r\n") == ["Rollback-Of": "", "Status": "ok"])
    }

    @Test func theSubjectIsTheFirstLineEvenWithCRLF() throws {
        let sandbox = try Sandbox()
        defer { sandbox.cleanup() }
        let repo = try sandbox.open()
        try repo.commit(updates: ["a": bytes("a")], message: "rollback run r1\r\n\r\nRollback-Of: r1\r\n")

        let commit = try #require(try repo.log().first)
        #expect(commit.subject == "rollback run r1")
        #expect(commit.trailers == ["Rollback-Of": "r1"])
    }

    @Test func keysWithSpacesAreNotTrailers() {
        #expect(StateRepo.parseTrailers("s\n\nNot A Key: value\n").isEmpty)
    }
}
