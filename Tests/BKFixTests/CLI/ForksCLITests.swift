import Foundation
import Testing

@testable import BKFix

/// `--forks`: nodes plan and apply at once over a real sshd on 127.0.0.1 (ten inventory entries, one root each), with
/// the same records as one at a time, output grouped per host in plan order, a failing node failing only itself with
/// `--keep-going`, and at most two ssh calls per node and phase (counted by an `ssh` on PATH that logs its argv and
/// runs the real one).
@Suite struct ForksCLITests {
    struct World {
        let sandbox: CLISandbox
        let sshd: SSHDServer
        let nodes = (1...10).map { String(format: "node-%02d", $0) }
        static let hosts = "127.0.0.1 localhost\n10.0.0.11 node\n"
        static let pinned = hosts + "49.234.165.79 hub.bktencent.com\n"
        var inventory: String { sandbox.dir.appendingPathComponent("inventory.yaml").path }
        var sshLog: String { sandbox.dir.appendingPathComponent("ssh.log").path }

        init() throws {
            sandbox = try CLISandbox()
            sshd = try SSHDServer()
            for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try sandbox.standIn(tool) }
            try ExecutableScript.write(
                "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '\(sshLog)'\nexec /usr/bin/ssh \"$@\"\n",
                to: sandbox.bin + "/ssh")
            var text = "nodes:\n"
            for node in nodes {
                text += sshd.inventoryEntry(node, root: nodeRoot(node))
                try writeNodeFile(node, "/etc/hosts", Self.hosts)
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: inventory))
        }

        func cleanup() {
            sshd.stop()
            sandbox.cleanup()
        }

        func nodeRoot(_ node: String) -> String { sandbox.dir.appendingPathComponent("\(node)-root").path }

        func writeNodeFile(_ node: String, _ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: nodeRoot(node) + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        /// Makes `node`'s /etc a plain file: /etc/hosts reads as absent, and no write under /etc can succeed.
        func breakEtc(_ node: String) throws {
            try FileManager.default.removeItem(atPath: nodeRoot(node) + "/etc")
            try Data("not a directory\n".utf8).write(to: URL(fileURLWithPath: nodeRoot(node) + "/etc"))
        }

        func nodeFile(_ node: String) -> String? {
            FileManager.default.contents(atPath: nodeRoot(node) + "/etc/hosts").map {
                String(decoding: $0, as: UTF8.self)
            }
        }

        func bkfix(_ args: [String]) async throws -> ProcessOutput {
            try await sandbox.bkfix(args + ["--inventory", inventory])
        }

        /// The ssh calls logged since the last `resetSSHLog`.
        var sshCalls: [String] {
            (try? String(contentsOfFile: sshLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }

        func resetSSHLog() { _ = FileManager.default.createFile(atPath: sshLog, contents: Data()) }

        /// The calls that ran a command on `node` (its root is in every path it is sent).
        func calls(on node: String) -> [String] { sshCalls.filter { $0.contains(nodeRoot(node) + "/") } }

        /// The progress lines of a run (`[i/n] ...`), in the order printed.
        static func steps(_ stderr: String) -> [String] {
            stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("[") }
        }
    }

    /// What must not depend on how many nodes ran at once: per file its host, path, operation, digests and status,
    /// the verify results, the run status.
    static func essence(_ record: [String: Any]) -> [String] {
        let files = (record["files"] as? [[String: Any]] ?? []).map { f in
            ["host", "path", "op", "beforeSHA256", "afterSHA256", "status", "diff"].map { "\(f[$0] ?? "-")" }
                .joined(separator: " ")
        }
        let verify = (record["verify"] as? [[String: Any]] ?? []).map { v in
            ["check", "host", "ok", "detail"].map { "\(v[$0] ?? "-")" }.joined(separator: " ")
        }
        return files + verify + ["status \(record["status"] ?? "-")", "hosts \(record["hosts"] ?? "-")"]
    }

    func record(_ w: World, _ run: String) async throws -> [String: Any] {
        let doc = try CLISandbox.json(try await w.bkfix(["show", run, "--json"]).stdout)
        return (doc["record"] as? [String: Any]) ?? doc
    }

    @Test func tenNodesAtOnceGiveTheSameRecordsFilesAndOutputAsOneAtATime() async throws {
        let w = try World()
        defer { w.cleanup() }
        var essences: [[String]] = []
        var outputs: [[String]] = []
        var trees: [String] = []
        for forks in ["1", "10"] {
            let apply = try await w.bkfix(
                ["apply", "hub-hosts", "-p", "targets=nodes", "--yes", "--json", "--forks", forks])
            #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
            let run = try #require(try CLISandbox.json(apply.stdout)["run"] as? String)
            for node in w.nodes { #expect(w.nodeFile(node) == World.pinned, "\(node) with --forks \(forks)") }
            essences.append(Self.essence(try await record(w, run)))
            trees.append(try await w.sandbox.git(["ls-tree", "-r", "--name-only", "HEAD", "hosts"]).stdout)
            let rollback = try await w.bkfix(["rollback", "--last", "--yes", "--forks", forks])
            #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
            for node in w.nodes {
                #expect(w.nodeFile(node) == World.hosts, "\(node) rolled back with --forks \(forks)")
            }
            outputs.append(World.steps(rollback.stderr))
        }
        #expect(essences[0] == essences[1])
        #expect(essences[0].contains("status applied"))
        #expect(essences[0].filter { $0.hasSuffix("done") || $0.contains(" done ") }.count == 10, "\(essences[0])")
        #expect(trees[0] == trees[1])
        #expect(trees[0].split(separator: "\n").count == 10, "\(trees[0])")
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].count == 10, "\(outputs[0])")
        // A rollback undoes in reverse plan order, one line per node, whatever order the nodes finished in.
        for (k, node) in w.nodes.reversed().enumerated() {
            #expect(outputs[1].indices.contains(k) && outputs[1][k].hasSuffix("on \(node)"), "\(outputs[1])")
        }
        let fsck = try await w.sandbox.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
    }

    @Test func eachNodeTakesOneSSHCallToPlanAndTwoToApplyAndItsMasterIsClosedAtTheEnd() async throws {
        let w = try World()
        defer { w.cleanup() }
        let planFile = w.sandbox.dir.appendingPathComponent("plan.json").path
        w.resetSSHLog()
        let plan = try await w.bkfix(["plan", "hub-hosts", "-p", "targets=nodes", "--out", planFile])
        #expect(plan.status == 0, "\(plan.stderr)")
        for node in w.nodes { #expect(w.calls(on: node).count == 1, "\(node) planning: \(w.calls(on: node))") }

        w.resetSSHLog()
        let apply = try await w.bkfix(["apply", "--plan", planFile, "--yes"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        for node in w.nodes {
            #expect(w.nodeFile(node) == World.pinned)
            // The saved plan's pins were checked before it was shown: one call each, for every node at once. Then
            // one call writes the file and reads it back for the checks (no operator was asked in between).
            let calls = w.calls(on: node)
            #expect(calls.count == 2, "\(node) applying: \(calls)")
            #expect(calls.filter { $0.contains("'w' '\(w.nodeRoot(node))/etc/hosts'") }.count == 1, "\(calls)")
        }
        #expect(apply.stderr.contains("verify resolve on node-10: ok"), "\(apply.stderr)")
        // One master for the one destination, closed when bkfix exits: no socket left behind.
        #expect(w.sshCalls.filter { $0.contains("-O exit") }.count == 1, "\(w.sshCalls.filter { $0.contains("-O") })")
        let sockets = try FileManager.default.contentsOfDirectory(atPath: w.sshd.controlDir)
        #expect(sockets.isEmpty, "\(sockets)")
    }

    @Test func aSavedPlanWhoseFileChangedOnOneNodeIsRefusedAndNoNodeIsWritten() async throws {
        let w = try World()
        defer { w.cleanup() }
        let planFile = w.sandbox.dir.appendingPathComponent("plan.json").path
        let plan = try await w.bkfix(["plan", "hub-hosts", "-p", "targets=nodes", "--out", planFile])
        #expect(plan.status == 0, "\(plan.stderr)")
        try w.writeNodeFile("node-07", "/etc/hosts", World.hosts + "10.9.9.9 changed-meanwhile\n")
        let apply = try await w.bkfix(["apply", "--plan", planFile, "--yes"])
        #expect(apply.status == 3, "\(apply.stdout) \(apply.stderr)")
        #expect(apply.stderr.contains("node-07"), "\(apply.stderr)")
        #expect(apply.stderr.contains("/etc/hosts"), "\(apply.stderr)")
        for node in w.nodes where node != "node-07" { #expect(w.nodeFile(node) == World.hosts, "\(node)") }
        #expect(w.nodeFile("node-07") == World.hosts + "10.9.9.9 changed-meanwhile\n")
        let log = try await w.sandbox.git(["log", "--oneline"])
        #expect(log.stdout.isEmpty || !log.stdout.contains("hub-hosts"), "\(log.stdout)")
    }

    @Test func planTakesOneSSHCallPerNodeAndApplyTwo() async throws {
        let w = try World()
        defer { w.cleanup() }
        w.resetSSHLog()
        let apply = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=nodes", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        for node in w.nodes {
            #expect(w.nodeFile(node) == World.pinned)
            let calls = w.calls(on: node)
            // Planning reads the hosts file ('l'); applying checks its digest under the lock (the plan was made
            // before it: another bkfix may have changed the file since), then writes it ('w') and reads it back.
            #expect(calls.count == 3, "\(node): \(calls)")
            #expect(calls.first?.contains("'l' '\(w.nodeRoot(node))/etc/hosts'") == true, "\(calls)")
            #expect(calls.last?.contains("'w' '\(w.nodeRoot(node))/etc/hosts'") == true, "\(calls)")
        }
        // A rollback reads each node's file in one call (is it still as the run left it?) and writes it in one.
        w.resetSSHLog()
        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        for node in w.nodes {
            #expect(w.nodeFile(node) == World.hosts)
            let calls = w.calls(on: node)
            #expect(calls.count == 2, "\(node) rolling back: \(calls)")
        }
    }

    @Test func withKeepGoingAFailingNodeFailsOnlyItselfAtAnyForks() async throws {
        let w = try World()
        defer { w.cleanup() }
        // node-03's /etc is a file: its hosts file plans as new, and writing it fails; the others' go through.
        try w.breakEtc("node-03")
        let apply = try await w.bkfix(
            ["apply", "hub-hosts", "-p", "targets=nodes", "--yes", "--keep-going", "--json", "--forks", "4"])
        #expect(apply.status == 1, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "failed")
        for node in w.nodes where node != "node-03" { #expect(w.nodeFile(node) == World.pinned, "\(node)") }
        let run = try #require(doc["run"] as? String)
        let record = try await record(w, run)
        let hostErrors = try #require(record["hostErrors"] as? [String: String], "\(record.keys)")
        #expect(hostErrors.keys.sorted() == ["node-03"])
        let files = try #require(record["files"] as? [[String: Any]])
        for f in files {
            #expect((f["status"] as? String) == (f["host"] as? String == "node-03" ? "failed" : "done"), "\(f)")
        }
        let show = try await w.bkfix(["show", run])
        #expect(show.stdout.contains("host node-02: ok"), "\(show.stdout)")
        #expect(show.stdout.contains("host node-03: FAILED"), "\(show.stdout)")
        #expect(show.stdout.contains("host node-04: ok"), "\(show.stdout)")
    }

    @Test func withoutKeepGoingNoWindowStartsAfterTheOneWithTheFailingNode() async throws {
        let w = try World()
        defer { w.cleanup() }
        try w.breakEtc("node-03")
        let apply = try await w.bkfix(["apply", "hub-hosts", "-p", "targets=nodes", "--yes", "--json", "--forks", "4"])
        #expect(apply.status == 1, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "failed")
        // The first window (node-01 to node-04) went through but for node-03; no later node was touched.
        for node in ["node-01", "node-02", "node-04"] { #expect(w.nodeFile(node) == World.pinned, "\(node)") }
        for node in w.nodes.suffix(6) { #expect(w.nodeFile(node) == World.hosts, "\(node)") }
        let record = try await record(w, try #require(doc["run"] as? String))
        #expect((record["error"] as? String)?.contains("node-03") == true, "\(record["error"] ?? "-")")
        let statuses = (record["files"] as? [[String: Any]] ?? []).map { "\($0["host"] ?? "") \($0["status"] ?? "")" }
        #expect(
            statuses
                == ["node-01 done", "node-02 done", "node-03 failed", "node-04 done"]
                + w.nodes.suffix(6).map { "\($0) skipped" }, "\(statuses)")
    }

    @Test func forksBelowOneIsBadInput() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        for args in [["plan", "hub-hosts", "--forks", "0"], ["apply", "hub-hosts", "--yes", "--forks=-2"]] {
            let r = try await s.bkfix(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("--forks"), "\(r.stderr)")
            #expect(r.stderr.contains("at least 1"), "\(r.stderr)")
        }
        #expect(s.readText("/etc/hosts") == nil)
        #expect(!FileManager.default.fileExists(atPath: s.state + "/runs"))
    }
}
