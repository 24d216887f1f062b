import Foundation
import Testing

@testable import BKFix

@Suite struct LocalTransportTests {
    /// A transport rooted in a fresh temp dir, and that dir's path.
    func sandbox() throws -> (LocalTransport, String) {
        let dir = try Fixtures.tempDir("transport").path
        return (LocalTransport(root: dir, environment: ["PATH": "/usr/bin:/bin"]), dir)
    }

    func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func realPathMapsHostPathsUnderRoot() {
        let transport = LocalTransport(root: "/tmp/sandbox/", environment: [:])
        #expect(transport.root == "/tmp/sandbox")
        #expect(transport.realPath("/etc/hosts") == "/tmp/sandbox/etc/hosts")
        #expect(LocalTransport(environment: [:]).realPath("/etc/hosts") == "/etc/hosts")
        #expect(LocalTransport(environment: [:]).host == "control")
    }

    @Test func writeThenReadRoundTripsBytesAndMeta() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = Data("127.0.0.1 localhost\r\n中文\n".utf8)
        try transport.write("/etc/hosts", data: data, meta: FileMeta(mode: 0o640, uid: getuid(), gid: getgid()))
        let snapshot = try #require(try transport.read("/etc/hosts"))
        #expect(snapshot.data == data)
        #expect(snapshot.meta == FileMeta(mode: 0o640, uid: getuid(), gid: getgid()))
        #expect(FileManager.default.fileExists(atPath: root + "/etc/hosts"))
        #expect(try transport.kind(of: "/etc/hosts") == .file)
        #expect(try transport.kind(of: "/etc") == .directory)
        #expect(try transport.kind(of: "/etc/missing") == nil)
    }

    @Test func missingParentsAreCreatedWith0755() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try transport.write(
            "/a/b/c/file", data: Data("x".utf8), meta: FileMeta(mode: 0o600, uid: getuid(), gid: getgid()))
        var st = stat()
        #expect(stat(root + "/a/b", &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o755)
        #expect(try transport.read("/a/b/c/file")?.data == Data("x".utf8))
    }

    @Test func rewriteKeepsModeAndOwnerOfTheFileRead() throws {
        guard getuid() == 0 else { return }  // chown to another user needs root
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try Data("one\n".utf8).write(to: URL(fileURLWithPath: root + "/etc/hosts"))
        #expect(chown(root + "/etc/hosts", 1234, 1235) == 0)
        #expect(chmod(root + "/etc/hosts", 0o640) == 0)
        let before = try #require(try transport.read("/etc/hosts"))
        #expect(before.meta == FileMeta(mode: 0o640, uid: 1234, gid: 1235))
        try transport.write("/etc/hosts", data: Data("two\n".utf8), meta: before.meta)
        var st = stat()
        #expect(stat(root + "/etc/hosts", &st) == 0)
        #expect(st.st_uid == 1234 && st.st_gid == 1235 && st.st_mode & 0o7777 == 0o640)
        #expect(try transport.read("/etc/hosts")?.data == Data("two\n".utf8))
        #expect(entries(root + "/etc") == ["hosts"])
    }

    @Test func setuidBitSurvivesTheChown() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let meta = FileMeta(mode: 0o4755, uid: getuid(), gid: getgid())
        try transport.write("/bin/tool", data: Data("#!/bin/sh\n".utf8), meta: meta)
        #expect(try transport.read("/bin/tool")?.meta == meta)
    }

    @Test func readMissingFileIsNil() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try transport.read("/etc/nothing") == nil)
        #expect(try transport.read("/no/such/dir/file") == nil)
    }

    @Test func directoryIsRefusedWithTheHostPath() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc/hosts", withIntermediateDirectories: true)
        #expect(throws: TransportError.isDirectory(path: "/etc/hosts")) { try transport.read("/etc/hosts") }
        #expect(throws: TransportError.isDirectory(path: "/etc/hosts")) {
            try transport.write("/etc/hosts", data: Data(), meta: FileMeta(mode: 0o644, uid: 0, gid: 0))
        }
        #expect(throws: TransportError.isDirectory(path: "/etc/hosts")) { try transport.remove("/etc/hosts") }
    }

    @Test func symlinkIsWrittenThroughAndStaysALink() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/real/hosts", data: Data("old\n".utf8), meta: meta)
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        // An absolute target is a host path: it must be re-rooted, not followed to the real /real/hosts.
        #expect(symlink("/real/hosts", root + "/etc/hosts") == 0)
        #expect(try transport.read("/etc/hosts")?.data == Data("old\n".utf8))
        try transport.write("/etc/hosts", data: Data("new\n".utf8), meta: meta)
        #expect(try transport.kind(of: "/etc/hosts") == .symlink("/real/hosts"))
        #expect(try transport.read("/real/hosts")?.data == Data("new\n".utf8))
        #expect(entries(root + "/real") == ["hosts"])
    }

    @Test func relativeSymlinksAndLinkedDirectoriesAreFollowed() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/data/etc/hosts", data: Data("x\n".utf8), meta: meta)
        #expect(symlink("data/etc", root + "/etc") == 0)
        #expect(try transport.read("/etc/hosts")?.data == Data("x\n".utf8))
        #expect(try transport.kind(of: "/etc") == .symlink("data/etc"))
        #expect(try transport.list("/etc") == ["hosts"])
    }

    @Test func relativeSymlinkClimbingAboveRootIsRefused() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        #expect(symlink("../../outside", root + "/etc/hosts") == 0)
        #expect(throws: TransportError.symlinkOutsideRoot(path: "/etc/hosts", target: "../../outside")) {
            try transport.read("/etc/hosts")
        }
    }

    @Test func dotDotAboveRootIsRefusedForEveryOperationAndNothingOutsideIsTouched() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let outside = (root as NSString).deletingLastPathComponent + "/bkfix-outside-\(UUID().uuidString)"
        let escape = "/etc/../../" + (outside as NSString).lastPathComponent
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        #expect(throws: TransportError.outsideRoot(path: escape)) {
            try transport.write(escape, data: Data("x".utf8), meta: meta)
        }
        #expect(throws: TransportError.outsideRoot(path: escape)) { try transport.read(escape) }
        #expect(throws: TransportError.outsideRoot(path: escape)) { try transport.remove(escape) }
        #expect(throws: TransportError.outsideRoot(path: escape)) { try transport.kind(of: escape) }
        #expect(!FileManager.default.fileExists(atPath: outside))
    }

    @Test func anAbsoluteSymlinkStaysUnderTheRootAndWritesGoThroughItThere() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        // On the host, /etc/hosts -> /etc/shadow-like target: under --root it is the root's file, never the real one.
        #expect(symlink("/var/real-hosts", root + "/etc/hosts") == 0)
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/etc/hosts", data: Data("x\n".utf8), meta: meta)
        #expect(FileManager.default.contents(atPath: root + "/var/real-hosts") == Data("x\n".utf8))
        #expect(try transport.kind(of: "/etc/hosts") == .symlink("/var/real-hosts"))
    }

    @Test func symlinkLoopIsAnError() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(symlink("/b", root + "/a") == 0)
        #expect(symlink("/a", root + "/b") == 0)
        #expect(
            throws: TransportError.io(path: "/a", operation: "resolve", reason: "too many levels of symbolic links")
        ) {
            try transport.read("/a")
        }
    }

    @Test func failedWriteLeavesNoTempFileAndNoChange() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/etc/file", data: Data("keep\n".utf8), meta: meta)
        #expect(throws: TransportError.self) {
            try transport.write("/etc/file/child", data: Data("x".utf8), meta: meta)
        }
        #expect(entries(root + "/etc") == ["file"])
        #expect(try transport.read("/etc/file")?.data == Data("keep\n".utf8))
    }

    @Test func failedChownLeavesOriginalUntouched() throws {
        guard getuid() != 0 else { return }  // root may chown to anyone
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let mine = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/etc/file", data: Data("keep\n".utf8), meta: mine)
        #expect(throws: TransportError.permissionDenied(path: "/etc/file", operation: "change the owner of")) {
            try transport.write("/etc/file", data: Data("x".utf8), meta: FileMeta(mode: 0o644, uid: 0, gid: 0))
        }
        #expect(entries(root + "/etc") == ["file"])
    }

    @Test func unwritableDirectoryIsPermissionDenied() throws {
        guard getuid() != 0 else { return }  // root ignores directory permissions
        let (transport, root) = try sandbox()
        defer {
            chmod(root + "/ro", 0o755)
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: root + "/ro", withIntermediateDirectories: true)
        chmod(root + "/ro", 0o555)
        #expect(throws: TransportError.permissionDenied(path: "/ro/file", operation: "write")) {
            try transport.write("/ro/file", data: Data(), meta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()))
        }
    }

    @Test func fifoIsNotAFile() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        #expect(throws: TransportError.notAFile(path: "/pipe")) { try transport.read("/pipe") }
        #expect(throws: TransportError.notAFile(path: "/pipe")) {
            try transport.write("/pipe", data: Data(), meta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()))
        }
        #expect(try transport.kind(of: "/pipe") == .other)
    }

    @Test func removeUnlinksAndAbsentIsFine() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try transport.write("/f", data: Data("x".utf8), meta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()))
        try transport.remove("/f")
        #expect(try transport.read("/f") == nil)
        try transport.remove("/f")
        try transport.remove("/no/such/dir/f")
    }

    @Test func removeThroughASymlinkRemovesItsTargetAndKeepsTheLink() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        #expect(symlink("/real/hosts", root + "/etc/hosts") == 0)
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        try transport.write("/etc/hosts", data: Data("created\n".utf8), meta: meta)
        #expect(try transport.read("/real/hosts")?.data == Data("created\n".utf8))
        try transport.remove("/etc/hosts")
        #expect(try transport.read("/real/hosts") == nil)
        #expect(try transport.kind(of: "/etc/hosts") == .symlink("/real/hosts"))
    }

    @Test func listNamesSortedAndEmptyWhenAbsent() throws {
        let (transport, root) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let meta = FileMeta(mode: 0o644, uid: getuid(), gid: getgid())
        for name in ["b.yaml", "a.yaml", "c"] { try transport.write("/d/\(name)", data: Data(), meta: meta) }
        try FileManager.default.createDirectory(atPath: root + "/d/sub", withIntermediateDirectories: true)
        #expect(try transport.list("/d") == ["a.yaml", "b.yaml", "c", "sub"])
        #expect(try transport.list("/nothing") == [])
    }

    @Test func runMapsWorkdirUnderRootAndMergesEnvironment() throws {
        let dir = try Fixtures.tempDir("transport").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let transport = LocalTransport(root: dir, environment: ["PATH": "/usr/bin:/bin", "A": "base", "B": "base"])
        try FileManager.default.createDirectory(atPath: dir + "/work", withIntermediateDirectories: true)
        let result = try transport.run(
            CommandSpec(
                argv: ["sh", "-c", "echo $A $B; basename \"$(pwd)\""], workdir: "/work", timeout: 10,
                environment: ["B": "spec"]),
            output: nil)
        #expect(result.stdout == "base spec\nwork\n")
    }

    @Test func anAbsoluteProgramThatExistsUnderTheRootRunsFromThereAndIsRecordedAsTheHostPath() throws {
        let dir = try Fixtures.tempDir("transport").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let transport = LocalTransport(root: dir, environment: ["PATH": "/usr/bin:/bin"])
        try ExecutableScript.write("#!/bin/sh\necho \"rooted $*\"\n", to: dir + "/opt/install/bin/helm")
        try FileManager.default.createSymbolicLink(
            atPath: dir + "/opt/install/bin/helm-link", withDestinationPath: "/opt/install/bin/helm")
        let result = try ExecutableScript.retryingBusyText {
            try transport.run(
                CommandSpec(argv: ["/opt/install/bin/helm", "version", "--short"], timeout: 10), output: nil)
        }
        #expect(result.stdout == "rooted version --short\n")
        #expect(result.argv == ["/opt/install/bin/helm", "version", "--short"])
        // An absolute link under the root points at a host path, which is re-rooted too.
        let linked = try ExecutableScript.retryingBusyText {
            try transport.run(CommandSpec(argv: ["/opt/install/bin/helm-link", "x"], timeout: 10), output: nil)
        }
        #expect(linked.stdout == "rooted x\n")
    }

    @Test func anAbsoluteProgramMissingUnderTheRootAndBareNamesRunAsGiven() throws {
        let (transport, dir) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(transport.rootedExecutable("/bin/sh") == nil)
        #expect(transport.rootedExecutable("sh") == nil)
        let result = try transport.run(CommandSpec(argv: ["/bin/sh", "-c", "echo host"], timeout: 10), output: nil)
        #expect(result.stdout == "host\n")
        // A directory under the root with the program's name is not a program.
        try FileManager.default.createDirectory(atPath: dir + "/bin/sh", withIntermediateDirectories: true)
        #expect(transport.rootedExecutable("/bin/sh") == nil)
        #expect(LocalTransport(environment: [:]).rootedExecutable("/bin/sh") == nil)
    }

    @Test func aProgramUnderTheRootThatCannotRunIsReportedByItsHostPath() throws {
        let (transport, dir) = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ExecutableScript.write("#!/bin/sh\n", to: dir + "/opt/tool", mode: 0o644)
        #expect(throws: ProcessRunnerError.notFound(command: "/opt/tool")) {
            try transport.run(CommandSpec(argv: ["/opt/tool"], timeout: 10), output: nil)
        }
    }
}
