import Foundation

@testable import BKFix

/// A control sandbox plus nodes played by a real sshd on 127.0.0.1, for the node playbooks: each node has its own
/// root (the inventory's `root:`) and its own stand-in folder first on the PATH its ssh sessions see (the inventory's
/// `path:`), so a stand-in can change that node's fake state. Every stand-in call, on a node or on the control
/// machine, is logged as `HOST TOOL ARGS` in one file.
struct NodeWorld {
    let sandbox: CLISandbox
    let sshd: SSHDServer
    let nodes: [String]
    var inventory: String { sandbox.dir.appendingPathComponent("inventory.yaml").path }
    var callsLog: String { sandbox.callsLog }
    /// The clock-shift file bkfix reads through `BKFIX_TEST_CLOCK_SHIFT`.
    var clockShift: String { sandbox.sandboxPath("clock-shift") }

    /// `nodes` reachable nodes, plus one named `unreachable` (if given) whose port nobody listens on.
    init(nodes: [String] = ["node-1", "node-2"], unreachable: String? = nil) throws {
        sandbox = try CLISandbox()
        sshd = try SSHDServer()
        self.nodes = nodes
        _ = FileManager.default.createFile(atPath: clockShift, contents: Data())
        var text = "nodes:\n"
        for node in nodes {
            try FileManager.default.createDirectory(atPath: root(node) + "/etc", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: bin(node), withIntermediateDirectories: true)
            text += sshd.inventoryEntry(node, root: root(node), path: [bin(node)])
        }
        if let unreachable {
            try FileManager.default.createDirectory(atPath: root(unreachable), withIntermediateDirectories: true)
            text += sshd.inventoryEntry(unreachable, root: root(unreachable), port: try SSHDServer.freePort())
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: inventory))
    }

    func cleanup() {
        sshd.stop()
        sandbox.cleanup()
    }

    /// The node's root directory (`root:` in the inventory); "control" is the sandbox's `--root`.
    func root(_ host: String) -> String {
        host == "control" ? sandbox.root : sandbox.dir.appendingPathComponent("\(host)-root").path
    }

    /// The folder first on the host's PATH ("control": the sandbox's bin).
    func bin(_ host: String) -> String {
        host == "control" ? sandbox.bin : sandbox.dir.appendingPathComponent("\(host)-bin").path
    }

    /// A folder for a host's stand-in state (service states and the like), outside every root.
    func stateDir(_ host: String) -> String {
        let dir = sandbox.dir.appendingPathComponent("\(host)-state").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A stand-in for `tool` on `host`: for each exact "$*", a shell body ending in `exit N`; `$ROOT` is the host's
    /// root, `$STATE` its state folder, `$SHIFT` the clock-shift file. Anything else fails loudly (exit 97).
    func standIn(_ tool: String, on host: String, _ cases: [(argv: String, body: String)]) throws {
        var script = "#!/bin/sh\nROOT='\(root(host))'\nSTATE='\(stateDir(host))'\nSHIFT='\(clockShift)'\n"
        script += "echo \"\(host) \(tool) $*\" >> '\(callsLog)'\ncase \"$*\" in\n"
        for c in cases { script += "  '\(c.argv)')\n\(c.body)\n    ;;\n" }
        script += "esac\necho \"stand-in \(tool) on \(host): unexpected arguments: $*\" >&2\nexit 97\n"
        try ExecutableScript.write(script, to: bin(host) + "/" + tool)
    }

    /// Writes a file under a host's root.
    func write(_ host: String, _ path: String, _ text: String, mode: Int = 0o644) throws {
        let url = URL(fileURLWithPath: root(host) + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    func read(_ host: String, _ path: String) -> String? {
        FileManager.default.contents(atPath: root(host) + path).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ host: String, _ path: String) -> Bool { FileManager.default.fileExists(atPath: root(host) + path) }

    /// A stand-in state value (`cat $STATE/NAME`).
    func state(_ host: String, _ name: String) -> String? {
        (try? String(contentsOfFile: stateDir(host) + "/" + name, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func setState(_ host: String, _ name: String, _ value: String) throws {
        try Data((value + "\n").utf8).write(to: URL(fileURLWithPath: stateDir(host) + "/" + name))
    }

    /// Every stand-in call so far, `HOST TOOL ARGS` (control's own stand-ins log `TOOL ARGS`).
    var calls: [String] { sandbox.calls }

    /// The calls logged since `count` calls.
    func calls(after count: Int) -> [String] { Array(calls.dropFirst(count)) }

    func setClockShift(_ shifts: [String: Double]) throws {
        let text = shifts.keys.sorted().map { "\($0) \(shifts[$0]!)\n" }.joined()
        try Data(text.utf8).write(to: URL(fileURLWithPath: clockShift))
    }

    func bkfix(_ args: [String], stdin: Data = Data()) async throws -> ProcessOutput {
        try await sandbox.bkfix(
            args + ["--inventory", inventory], stdin: stdin, env: ["BKFIX_TEST_CLOCK_SHIFT": clockShift])
    }
}
