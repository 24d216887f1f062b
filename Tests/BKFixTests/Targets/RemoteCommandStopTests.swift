import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// A node's command stops when bkfix stops waiting for it (timeout, Ctrl-C): its whole process group on the node is
/// killed over the control master, not just the local ssh. Against the real sshd, whose "node" is this machine, so
/// the test can look at the remote processes' pids.
@Suite struct RemoteCommandStopTests {
    /// Whether a process with this pid still exists (a zombie counts as gone: it no longer runs).
    static func running(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }

    static func pid(at path: String) -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
            pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// `sh -c` that records its own pid and a child's, then waits for ever (as a hung helm would).
    static func longCommand(_ dir: String) -> [String] {
        ["sh", "-c", "echo $$ > '\(dir)/cmd.pid'; sleep 300 & echo $! > '\(dir)/child.pid'; wait"]
    }

    @Test func aTimedOutCommandAndItsChildrenAreStoppedOnTheNode() throws {
        let sshd = try SSHDServer()
        defer { sshd.stop() }
        let dir = sshd.dir.path
        let t = SSHTransport(node: sshd.node("node-1"), environment: ProcessInfo.processInfo.environment)
        let result = try t.run(CommandSpec(argv: Self.longCommand(dir), timeout: 5), output: nil)
        #expect(result.timedOut)
        let command = try #require(Self.pid(at: dir + "/cmd.pid"))
        let child = try #require(Self.pid(at: dir + "/child.pid"))
        #expect(!Self.running(command), "the command \(command) still runs on the node")
        #expect(!Self.running(child), "its child \(child) still runs on the node")
        #expect(!result.stderr.contains(SSHTransport.groupMarker))
    }

    @Test func aFinishedCommandKeepsItsOutputAndStatusWithoutTheGroupLine() throws {
        let sshd = try SSHDServer()
        defer { sshd.stop() }
        let t = SSHTransport(node: sshd.node("node-1"), environment: ProcessInfo.processInfo.environment)
        let lines = LineCollector()
        let r = try t.run(
            CommandSpec(argv: ["sh", "-c", "echo out; echo err >&2; exit 7"]), output: { lines.add($0) })
        #expect(r.exitCode == 7)
        #expect(r.stdout == "out\n")
        #expect(r.stderr == "err\n")
        #expect(Set(lines.all) == ["out:out", "err:err"])
    }

    @Test func aMissingWorkdirFailsInsteadOfRunningElsewhere() throws {
        let sshd = try SSHDServer()
        defer { sshd.stop() }
        let t = SSHTransport(node: sshd.node("node-1"), environment: ProcessInfo.processInfo.environment)
        let r = try t.run(
            CommandSpec(argv: ["sh", "-c", "touch '\(sshd.dir.path)/ran'"], workdir: "/no/such/dir"), output: nil)
        #expect(r.exitCode != 0)
        #expect(!FileManager.default.fileExists(atPath: sshd.dir.path + "/ran"))
    }

    @Test func groupIDsZeroAndOneAreNeverKilled() {
        #expect(SSHTransport.takeGroup(from: "bkfix-remote-pgid:1\nx").group == nil)
        #expect(SSHTransport.takeGroup(from: "bkfix-remote-pgid:0\n").group == nil)
        #expect(SSHTransport.takeGroup(from: "a\nbkfix-remote-pgid:4321\nb").group == 4321)
        #expect(SSHTransport.takeGroup(from: "a\nbkfix-remote-pgid:4321\nb").stderr == "a\nb")
    }

    @Test func ctrlCDuringANodesCommandStopsItOnTheNodeAndRecordsTheRunInterrupted() async throws {
        let w = try SSHNodesCLITests.World()
        defer { w.cleanup() }
        let dir = w.sandbox.dir.path
        try w.writeNodeFile("node-1", "/unused", "")
        let script = "#!/bin/sh\necho \"long-task $*\" >> '\(w.nodeCallsLog)'\n" + Self.longCommand(dir)[2] + "\n"
        try Data(script.utf8).write(to: URL(fileURLWithPath: w.nodeBin + "/long-task"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: w.nodeBin + "/long-task")
        let books = dir + "/playbooks"
        try FileManager.default.createDirectory(atPath: books, withIntermediateDirectories: true)
        try """
        id: long-on-node
        title: {zh: 测试, en: a long command on a node}
        steps:
          - command: {argv: [long-task, run], risk: reversible, undo: [[long-task, undo]], on: node-1}

        """.write(toFile: books + "/long-on-node.yaml", atomically: true, encoding: .utf8)
        let process = try w.sandbox.start([
            "apply", "long-on-node", "--playbooks", books, "--yes", "--inventory", w.inventory,
        ])
        for _ in 0..<400 where Self.pid(at: dir + "/child.pid") == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        let command = try #require(Self.pid(at: dir + "/cmd.pid"), "the command never started on the node")
        let child = try #require(Self.pid(at: dir + "/child.pid"))
        #expect(Self.running(command))
        kill(process.processIdentifier, SIGINT)
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 130)
        #expect(!Self.running(command), "the node's command \(command) outlived Ctrl-C")
        #expect(!Self.running(child), "its child \(child) outlived Ctrl-C")
        let log = try await w.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Status: interrupted"), "\(log.stdout)")
    }
}
