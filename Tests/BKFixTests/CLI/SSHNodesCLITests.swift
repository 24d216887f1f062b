import Foundation
import Testing

@testable import BKFix

/// Nodes over SSH through the real binary and a real sshd on 127.0.0.1: hub-hosts on a node, rollback,
/// --keep-going with an unreachable node, and open-kubelet-port with stand-in firewall tools on the node.
@Suite struct SSHNodesCLITests {
    /// A control sandbox, an sshd playing the nodes, each node's root dir, and the inventory.
    struct World {
        let sandbox: CLISandbox
        let sshd: SSHDServer
        var inventory: String { sandbox.dir.appendingPathComponent("inventory.yaml").path }
        var nodeBin: String { sandbox.dir.appendingPathComponent("node-bin").path }
        var nodeCallsLog: String { sandbox.dir.appendingPathComponent("node-calls.log").path }
        static let hosts = "127.0.0.1 localhost\n10.0.0.11 node-1\n"

        init(unreachableNode: Bool = false, controlDir: Bool = true) throws {
            sandbox = try CLISandbox()
            sshd = try SSHDServer()
            try sandbox.write("/etc/hosts", Self.hosts)
            for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try sandbox.standIn(tool) }
            try FileManager.default.createDirectory(atPath: nodeBin, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: nodeCallsLog, contents: Data())
            var text =
                "nodes:\n"
                + sshd.inventoryEntry("node-1", root: nodeRoot("node-1"), path: [nodeBin], controlDir: controlDir)
            try writeNodeFile("node-1", "/etc/hosts", Self.hosts, mode: 0o640)
            if unreachableNode {
                text += sshd.inventoryEntry("node-2", root: nodeRoot("node-2"), port: try SSHDServer.freePort())
                try writeNodeFile("node-2", "/etc/hosts", Self.hosts)
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: inventory))
        }

        func cleanup() {
            sshd.stop()
            sandbox.cleanup()
        }

        func nodeRoot(_ node: String) -> String { sandbox.dir.appendingPathComponent("\(node)-root").path }

        func writeNodeFile(_ node: String, _ path: String, _ text: String, mode: Int = 0o644) throws {
            let url = URL(fileURLWithPath: nodeRoot(node) + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        }

        func nodeFile(_ node: String, _ path: String) -> String? {
            FileManager.default.contents(atPath: nodeRoot(node) + path).map { String(decoding: $0, as: UTF8.self) }
        }

        func nodeMode(_ node: String, _ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: nodeRoot(node) + path))?[.posixPermissions] as? Int
        }

        /// A stand-in on the node's PATH: answers exactly the given "$*" strings, records every call, fails loudly
        /// (exit 97) on anything else.
        func nodeStandIn(_ tool: String, _ answers: [String: (stdout: String, status: Int32)]) throws {
            var script = "#!/bin/sh\necho \"\(tool) $*\" >> '\(nodeCallsLog)'\ncase \"$*\" in\n"
            for (argv, answer) in answers.sorted(by: { $0.key < $1.key }) {
                script += "  '\(argv)') printf '%s' '\(answer.stdout)'; exit \(answer.status) ;;\n"
            }
            script += "esac\necho \"stand-in \(tool): unexpected arguments: $*\" >&2\nexit 97\n"
            let path = nodeBin + "/" + tool
            try Data(script.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }

        var nodeCalls: [String] {
            (try? String(contentsOfFile: nodeCallsLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }

        func bkfix(_ args: [String]) async throws -> ProcessOutput {
            try await sandbox.bkfix(args + ["--inventory", inventory])
        }
    }

    @Test func hubHostsEditsTheNodesHostsFileOverSSHAndRollsBack() async throws {
        let w = try World()
        defer { w.cleanup() }
        let plan = try await w.bkfix(["plan", "hub-hosts", "-p", "targets=node-1"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("node-1"))
        #expect(plan.stdout.contains("+49.234.165.79 hub.bktencent.com"))
        #expect(w.nodeFile("node-1", "/etc/hosts") == World.hosts)

        let apply = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=node-1", "--yes", "--json"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "applied")
        #expect(w.nodeFile("node-1", "/etc/hosts") == World.hosts + "49.234.165.79 hub.bktencent.com\n")
        #expect(w.nodeMode("node-1", "/etc/hosts") == 0o640)
        #expect(w.sandbox.readText("/etc/hosts") == World.hosts)
        let stat = try await w.sandbox.git(["show", "--stat", "HEAD"])
        #expect(stat.stdout.contains("hosts/node-1/etc/hosts"))
        let log = try await w.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Host: node-1"))

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(w.nodeFile("node-1", "/etc/hosts") == World.hosts)
        #expect(w.nodeMode("node-1", "/etc/hosts") == 0o640)
    }

    @Test func withoutControlDirTheSocketsLiveInTheStateReposPrivateRuntimeFolder() async throws {
        let w = try World(controlDir: false)
        defer { w.cleanup() }
        let runtime = RunStore.runtimeDir(ofRepoAt: w.sandbox.state)
        let folder = runtime + "/ssh"
        #expect(folder.utf8.count <= SSHControlDirectory.maxDirectoryLength, "the sandbox path is too long: \(folder)")
        let apply = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=node-1", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        var st = stat()
        #expect(lstat(folder, &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o700)
        #expect(st.st_uid == geteuid())
        let node = w.sshd.node("node-1").withoutControlDir
        let ssh = SSHTransport(node: node, environment: w.sandbox.environment, runtimeDir: runtime)
        #expect(ssh.controlDirectory == folder)
        #expect(ssh.sshArguments().contains("ControlPath=\(folder)/\(SSHControlDirectory.socketName(for: node))"))
        // Close the master the run left behind (ControlPersist), so no ssh outlives the test. (Whether its socket is
        // still there is timing: ControlPersist ends it 60 s after the last use.)
        _ = try ProcessRunner.run(
            Array(ssh.sshArguments().dropLast(2)) + ["-O", "exit", "--", "\(SSHDServer.user)@127.0.0.1"], workdir: nil,
            environment: w.sandbox.environment, timeout: 10, output: nil)
        #expect(
            !FileManager.default.fileExists(
                atPath: "/tmp/bkfix-ssh-\(getuid())/" + SSHControlDirectory.socketName(for: node)))
    }

    @Test func anUnreachableNodeFailsTheRunUnlessKeepGoing() async throws {
        let w = try World(unreachableNode: true)
        defer { w.cleanup() }
        let strict = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=nodes", "--yes"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("node-2"), "\(strict.stderr)")
        #expect(strict.stderr.contains("Connection refused"), "\(strict.stderr)")
        #expect(w.nodeFile("node-1", "/etc/hosts") == World.hosts)

        let going = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=nodes", "--yes", "--keep-going", "--json"])
        #expect(going.status == 1, "\(going.stdout) \(going.stderr)")
        let doc = try CLISandbox.json(going.stdout)
        #expect(doc["status"] as? String == "failed")
        #expect(w.nodeFile("node-1", "/etc/hosts") == World.hosts + "49.234.165.79 hub.bktencent.com\n")
        #expect(w.nodeFile("node-2", "/etc/hosts") == World.hosts)
        let run = try #require(doc["run"] as? String)

        let show = try await w.bkfix(["show", run])
        #expect(show.stdout.contains("status:    failed"))
        #expect(show.stdout.contains("host node-1: ok"), "\(show.stdout)")
        #expect(show.stdout.contains("host node-2: FAILED"), "\(show.stdout)")
        #expect(show.stdout.contains("Connection refused"))
        let showJSON = try CLISandbox.json(try await w.bkfix(["show", run, "--json"]).stdout)
        let record = (showJSON["record"] as? [String: Any]) ?? showJSON
        let hostErrors = try #require(record["hostErrors"] as? [String: String], "\(showJSON.keys)")
        #expect(hostErrors.keys.sorted() == ["node-2"])
    }

    @Test func keepGoingRecordsAFailingNodesStepsAsFailedAndRunsTheOthers() async throws {
        let w = try World()
        defer { w.cleanup() }
        // node-1 reachable but its hosts file is a directory: its step fails at apply; control still gets its edit.
        try? FileManager.default.removeItem(atPath: w.nodeRoot("node-1") + "/etc/hosts")
        try FileManager.default.createDirectory(
            atPath: w.nodeRoot("node-1") + "/etc/hosts", withIntermediateDirectories: true)
        let r = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=control,node-1", "--yes", "--keep-going"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("node-1"), "\(r.stderr)")
    }

    func firewalld(_ w: World, port: Int) throws {
        try w.nodeStandIn("systemctl", ["is-active firewalld": ("active\n", 0)])
        try w.nodeStandIn(
            "firewall-cmd",
            [
                "--query-port=\(port)/tcp": ("no\n", 1), "--permanent --query-port=\(port)/tcp": ("no\n", 1),
                "--add-port=\(port)/tcp": ("success\n", 0), "--permanent --add-port=\(port)/tcp": ("success\n", 0),
                "--remove-port=\(port)/tcp": ("success\n", 0),
                "--permanent --remove-port=\(port)/tcp": ("success\n", 0),
            ])
        // Never called: each fails loudly if it is.
        for tool in ["iptables", "iptables-save", "netfilter-persistent"] { try w.nodeStandIn(tool, [:]) }
    }

    @Test func openKubeletPortWithFirewalldByTheNodesIPAndRollback() async throws {
        let w = try World()
        defer { w.cleanup() }
        let port = w.sshd.port  // something listens there, so the tcp-port verify passes
        try firewalld(w, port: port)
        let plan = try await w.bkfix(["plan", "open-kubelet-port", "-p", "node=127.0.0.1", "-p", "port=\(port)"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("$ firewall-cmd --add-port=\(port)/tcp  [reversible]"))
        #expect(plan.stdout.contains("$ firewall-cmd --permanent --add-port=\(port)/tcp  [reversible]"))
        #expect(!plan.stdout.contains("--reload"))
        #expect(
            w.nodeCalls == [
                "systemctl is-active firewalld", "firewall-cmd --query-port=\(port)/tcp",
                "firewall-cmd --permanent --query-port=\(port)/tcp",
            ])

        let apply = try await w.bkfix([
            "apply", "open-kubelet-port", "-p", "node=127.0.0.1", "-p", "port=\(port)", "--yes", "--json",
        ])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        let verify = try #require((doc["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "tcp-port")
        #expect(verify["host"] as? String == "node-1")
        #expect(verify["ok"] as? Bool == true)
        #expect(
            Array(w.nodeCalls.suffix(2)) == [
                "firewall-cmd --add-port=\(port)/tcp", "firewall-cmd --permanent --add-port=\(port)/tcp",
            ])

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(
            Array(w.nodeCalls.suffix(2)) == [
                "firewall-cmd --permanent --remove-port=\(port)/tcp", "firewall-cmd --remove-port=\(port)/tcp",
            ])
        #expect(!w.nodeCalls.contains { $0.contains("--reload") })
        #expect(w.nodeCalls.allSatisfy { $0.hasPrefix("firewall-cmd ") || $0.hasPrefix("systemctl ") })
    }

    @Test func openKubeletPortFallsBackToIptablesAndSaysNoChangesWhenOpen() async throws {
        let w = try World()
        defer { w.cleanup() }
        let rule = "INPUT -p tcp --dport 10250 -j ACCEPT"
        try w.nodeStandIn(
            "systemctl",
            [
                "is-active firewalld": ("inactive\n", 3), "is-enabled netfilter-persistent": ("disabled\n", 1),
                "is-enabled iptables": ("disabled\n", 1),
            ])
        try w.nodeStandIn("iptables", ["-C \(rule)": ("", 1)])
        let plan = try await w.bkfix(["plan", "open-kubelet-port", "-p", "node=node-1"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("iptables -I \(rule)"), "\(plan.stdout)")
        #expect(!w.nodeCalls.contains { $0.hasPrefix("iptables -I") })

        try w.nodeStandIn("iptables", ["-C \(rule)": ("", 0)])
        let open = try await w.bkfix(["plan", "open-kubelet-port", "-p", "node=node-1"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.stdout.contains("no changes"), "\(open.stdout)")
    }

    @Test func aNodeIPNotInTheInventoryIsRefused() async throws {
        let w = try World()
        defer { w.cleanup() }
        let r = try await w.bkfix(["plan", "open-kubelet-port", "-p", "node=10.9.9.9"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("10.9.9.9 is not the address of any node in the inventory"), "\(r.stderr)")
        #expect(w.nodeCalls.isEmpty)
    }

    @Test func aBrokenInventoryIsReportedWithItsLine() async throws {
        let w = try World()
        defer { w.cleanup() }
        try Data("nodes:\n  - name: node-1\n    port: 22\n".utf8).write(to: URL(fileURLWithPath: w.inventory))
        let r = try await w.bkfix(["plan", "hub-hosts", "-p", "targets=node-1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("inventory.yaml:2: node 'node-1' needs an 'address'"), "\(r.stderr)")
        let control = try await w.bkfix(["plan", "hub-hosts"])
        #expect(control.status == 0, "\(control.stderr)")
    }
}
