import Foundation
import Testing

@testable import BKFix

/// SSHTransport against a real sshd on 127.0.0.1; the node's files live under a temp `root:`.
@Suite struct SSHTransportTests {
    /// A running sshd, a node root dir, and a transport to it.
    struct World {
        let sshd: SSHDServer
        let root: URL
        let transport: SSHTransport

        init(path: [String] = []) throws {
            sshd = try SSHDServer()
            root = sshd.dir.appendingPathComponent("node-root")
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
            transport = SSHTransport(
                node: sshd.node("node-1", root: root.path, path: path), environment: ProcessInfo.processInfo.environment
            )
        }

        func put(_ hostPath: String, _ data: Data, mode: Int = 0o644) throws {
            let url = URL(fileURLWithPath: root.path + hostPath)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }

        func get(_ hostPath: String) -> Data? { FileManager.default.contents(atPath: root.path + hostPath) }

        func mode(_ hostPath: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: root.path + hostPath))?[.posixPermissions] as? Int
        }
    }

    @Test func shellQuoteMakesOneWordOfAnything() {
        #expect(SSHTransport.shellQuote("plain") == "'plain'")
        #expect(SSHTransport.shellQuote("it's") == "'it'\\''s'")
        #expect(SSHTransport.shellQuote("") == "''")
    }

    @Test func sshArgumentsUseBatchModeControlMasterAndTheNodeSettings() {
        let node = InventoryNode(
            name: "n", address: "10.0.0.5", user: "ops", port: 2222, key: "/k", knownHosts: "/kh",
            strictHostKeyChecking: false, connectTimeout: 7, controlDir: "/cm")
        let argv = SSHTransport(node: node, environment: [:]).sshArguments()
        for pair in [
            ["-o", "BatchMode=yes"], ["-o", "ConnectTimeout=7"], ["-o", "ControlMaster=auto"],
            ["-o", "ControlPath=/cm/\(SSHControlDirectory.socketName(for: node))"],
            ["-o", "ControlPersist=60"], ["-p", "2222"], ["-i", "/k"], ["-o", "StrictHostKeyChecking=no"],
            ["-o", "UserKnownHostsFile=/kh"],
        ] {
            #expect(argv.indices.contains { argv[$0...].starts(with: pair) }, "missing \(pair) in \(argv)")
        }
        #expect(argv.suffix(2) == ["--", "ops@10.0.0.5"])
    }

    @Test func readReturnsBytesModeAndOwnerFollowingSymlinks() throws {
        let w = try World()
        defer { w.sshd.stop() }
        let bytes = Data((0...255).map { UInt8($0) } + Array("中文\r\n".utf8))
        try w.put("/etc/blob", bytes, mode: 0o640)
        try FileManager.default.createSymbolicLink(atPath: w.root.path + "/etc/link", withDestinationPath: "blob")
        let snapshot = try #require(try w.transport.read("/etc/blob"))
        #expect(snapshot.data == bytes)
        #expect(snapshot.meta == FileMeta(mode: 0o640, uid: getuid(), gid: getgid()))
        #expect(try w.transport.read("/etc/link") == snapshot)
        #expect(try w.transport.read("/etc/absent") == nil)
        #expect(throws: TransportError.isDirectory(path: "/etc")) { try w.transport.read("/etc") }
    }

    @Test func kindOfTellsFilesDirectoriesSymlinksAndAbsence() throws {
        let w = try World()
        defer { w.sshd.stop() }
        try w.put("/etc/hosts", Data("x\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: w.root.path + "/etc/alias", withDestinationPath: "hosts")
        #expect(try w.transport.kind(of: "/etc/hosts") == .file)
        #expect(try w.transport.kind(of: "/etc") == .directory)
        #expect(try w.transport.kind(of: "/etc/alias") == .symlink("hosts"))
        #expect(try w.transport.kind(of: "/etc/none") == nil)
    }

    @Test func writeIsAtomicKeepsModeCreatesParentsAndLeavesNoTempFiles() throws {
        let w = try World()
        defer { w.sshd.stop() }
        try w.put("/etc/hosts", Data("old\n".utf8), mode: 0o600)
        let bytes = Data([0, 1, 2, 255, 10, 13]) + Data("it's $HOME `x`\n".utf8)
        try w.transport.write("/etc/hosts", data: bytes, meta: FileMeta(mode: 0o640, uid: getuid(), gid: getgid()))
        #expect(w.get("/etc/hosts") == bytes)
        #expect(w.mode("/etc/hosts") == 0o640)
        try w.transport.write(
            "/opt/new dir/file", data: Data("n".utf8), meta: FileMeta(mode: 0o755, uid: getuid(), gid: getgid()))
        #expect(w.get("/opt/new dir/file") == Data("n".utf8))
        #expect(w.mode("/opt/new dir/file") == 0o755)
        #expect(try w.transport.list("/etc") == ["hosts"])
        try w.transport.write("/etc/empty", data: Data(), meta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()))
        #expect(try w.transport.read("/etc/empty")?.data == Data())
    }

    @Test func writeChangesTheOwnerWhenAsked() throws {
        guard getuid() == 0 else { return }  // only root may give files away; CI runs as root
        let w = try World()
        defer { w.sshd.stop() }
        try w.transport.write("/etc/owned", data: Data("o".utf8), meta: FileMeta(mode: 0o644, uid: 1234, gid: 2345))
        #expect(try w.transport.read("/etc/owned")?.meta == FileMeta(mode: 0o644, uid: 1234, gid: 2345))
    }

    @Test func writeGoesThroughASymlinkAndKeepsTheLink() throws {
        let w = try World()
        defer { w.sshd.stop() }
        try w.put("/etc/real", Data("r\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: w.root.path + "/etc/link", withDestinationPath: "real")
        try w.transport.write(
            "/etc/link", data: Data("new\n".utf8), meta: FileMeta(mode: 0o644, uid: getuid(), gid: getgid()))
        #expect(w.get("/etc/real") == Data("new\n".utf8))
        #expect(try w.transport.kind(of: "/etc/link") == .symlink("real"))
    }

    @Test func writeOverADirectoryIsRefused() throws {
        let w = try World()
        defer { w.sshd.stop() }
        #expect(throws: TransportError.isDirectory(path: "/etc")) {
            try w.transport.write("/etc", data: Data(), meta: FileMeta(mode: 0o644, uid: 0, gid: 0))
        }
    }

    @Test func removeDeletesAndAbsentIsFine() throws {
        let w = try World()
        defer { w.sshd.stop() }
        try w.put("/etc/gone", Data("g".utf8))
        try w.transport.remove("/etc/gone")
        #expect(w.get("/etc/gone") == nil)
        try w.transport.remove("/etc/gone")
        #expect(throws: TransportError.isDirectory(path: "/etc")) { try w.transport.remove("/etc") }
    }

    @Test func listIsSortedAndEmptyForAnAbsentDirectory() throws {
        let w = try World()
        defer { w.sshd.stop() }
        for name in ["b", "a", ".hidden", "with space"] { try w.put("/etc/d/\(name)", Data()) }
        #expect(try w.transport.list("/etc/d") == [".hidden", "a", "b", "with space"])
        #expect(try w.transport.list("/etc/nothing") == [])
    }

    @Test func runPassesArgvVerbatimWithWorkdirEnvironmentAndExitStatus() throws {
        let w = try World()
        defer { w.sshd.stop() }
        let tricky = ["a b", "it's", "$HOME", "`id`", "; rm -rf /", "*", "中文"]
        let r = try w.transport.run(CommandSpec(argv: ["printf", "%s\\n"] + tricky), output: nil)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout == tricky.joined(separator: "\n") + "\n")
        #expect(r.argv == ["printf", "%s\\n"] + tricky)
        let pwd = try w.transport.run(CommandSpec(argv: ["pwd"], workdir: "/etc"), output: nil)
        #expect(pwd.stdout == w.root.path + "/etc\n")
        let env = try w.transport.run(
            CommandSpec(argv: ["sh", "-c", "echo \"$BKFIX_X\"; exit 3"], environment: ["BKFIX_X": "x y"]), output: nil)
        #expect(env.stdout == "x y\n")
        #expect(env.exitCode == 3)
        #expect(!env.succeeded)
    }

    @Test func runStreamsLinesAndFindsToolsOnTheInventoryPath() throws {
        let bin = try Fixtures.tempDir("bkfix-node-bin")
        defer { try? FileManager.default.removeItem(at: bin) }
        let tool = bin.appendingPathComponent("firewall-cmd")
        try Data("#!/bin/sh\necho \"stand-in $*\"\necho err >&2\n".utf8).write(to: tool)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        let w = try World(path: [bin.path])
        defer { w.sshd.stop() }
        let lines = LineCollector()
        let r = try w.transport.run(CommandSpec(argv: ["firewall-cmd", "--reload"]), output: { lines.add($0) })
        #expect(r.stdout == "stand-in --reload\n")
        #expect(r.stderr == "err\n")
        #expect(lines.all.contains("out:stand-in --reload"))
        #expect(lines.all.contains("err:err"))
    }

    @Test func aMissingRemoteCommandExits127() throws {
        let w = try World()
        defer { w.sshd.stop() }
        let r = try w.transport.run(CommandSpec(argv: ["bkfix-no-such-tool"]), output: nil)
        #expect(r.exitCode == 127)
    }

    @Test func anUnreachableNodeIsAClearErrorNamingItAndSSHsMessage() throws {
        let port = try SSHDServer.freePort()
        let dir = try Fixtures.tempDir("bkfix-unreach")
        defer { try? FileManager.default.removeItem(at: dir) }
        let node = InventoryNode(
            name: "node-9", address: "127.0.0.1", user: "root", port: port, knownHosts: dir.path + "/kh",
            strictHostKeyChecking: false, connectTimeout: 3, controlDir: dir.path + "/cm")
        let t = SSHTransport(node: node, environment: ProcessInfo.processInfo.environment)
        do {
            _ = try t.read("/etc/hosts")
            Issue.record("expected an error")
        } catch let error as SSHTransportError {
            guard case .unreachable(let name, let destination, let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(name == "node-9")
            #expect(destination == "root@127.0.0.1:\(port)")
            #expect(message.contains("Connection refused"), "\(message)")
            #expect(error.localizedDescription.contains("node-9"))
        }
        #expect(throws: SSHTransportError.self) { try t.run(CommandSpec(argv: ["true"]), output: nil) }
    }

    @Test func aRefusedKeyIsUnreachableToo() throws {
        let w = try World()
        defer { w.sshd.stop() }
        var node = w.sshd.node("node-1")
        node.key = w.sshd.dir.appendingPathComponent("host_key").path  // not authorized
        let t = SSHTransport(node: node, environment: ProcessInfo.processInfo.environment)
        #expect {
            try t.kind(of: "/")
        } throws: { error in
            guard case .unreachable(_, _, let message) = error as? SSHTransportError else { return false }
            return message.contains("Permission denied")
        }
    }
}

/// Collects streamed output lines from another thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: OutputLine) {
        lock.lock()
        defer { lock.unlock() }
        switch line {
        case .stdout(let s): lines.append("out:" + s)
        case .stderr(let s): lines.append("err:" + s)
        }
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
