import Foundation
import Testing

@testable import BKFix

/// Issue 8, item 3: bkfix killed with SIGKILL at every point of a run (`BKFIX_FAULT`), the points enumerated by the
/// engine itself (`BKFIX_FAULT_TRACE`), for a 3-step run on the control machine (a file, an irreversible destroy,
/// its compensating sync) and a 2-node run over the real sshd. After each kill: `status` names the run,
/// `recover --undo --yes` leaves every file byte for byte with its mode and owner, the destroyed release is synced
/// again from the restored values, history and `git fsck --strict` are clean, and a new apply works.
@Suite struct FaultInjectionCLITests {
    /// How many points are run at once, each on its own sandbox: most of a point's time is spent waiting for
    /// processes (bkfix, ssh, git), not computing.
    static let width = 8

    /// A file's bytes, mode and owner.
    struct FileState: Equatable {
        var data: Data
        var mode: Int
        var uid: Int
        var gid: Int
    }

    /// One scenario: a fresh world per point, the run to kill, and its extra checks.
    protocol Scenario: Sendable {
        /// Builds a fresh world in `s` (files, stand-ins, playbook) and returns the apply arguments.
        func prepare(_ s: CLISandbox) throws -> [String]
        /// Roots whose files must come back byte for byte (host path prefix → real dir).
        func roots(_ s: CLISandbox) -> [String]
        /// Extra arguments every bkfix call needs (the inventory).
        func extra(_ s: CLISandbox) -> [String]
        func environment(_ s: CLISandbox) -> [String: String]
        /// What must hold after `recover --undo`, beyond the files.
        func undone(_ s: CLISandbox, point: String) -> [String]
    }

    static func snapshot(_ roots: [String]) -> [String: FileState] {
        var out: [String: FileState] = [:]
        for root in roots {
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let relative as String in walker {
                let full = root + "/" + relative
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                    attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                out[full] = FileState(
                    data: FileManager.default.contents(atPath: full) ?? Data(),
                    mode: attributes[.posixPermissions] as? Int ?? -1,
                    uid: (attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1,
                    gid: (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1)
            }
        }
        return out
    }

    /// The points a full run of the scenario passes, in order, as the engine names them.
    static func trace(_ scenario: some Scenario) async throws -> [String] {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let args = try scenario.prepare(s)
        let file = s.sandboxPath("trace")
        var env = scenario.environment(s)
        env["BKFIX_FAULT_TRACE"] = file
        let r = try await s.bkfix(args + scenario.extra(s), env: env)
        #expect(r.status == 0, "the traced run must succeed: \(r.stderr)")
        return ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Kills the run at `point` and recovers; returns what went wrong (empty when everything held).
    static func killAndRecover(_ scenario: some Scenario, at point: String) async throws -> [String] {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let args = try scenario.prepare(s)
        let extra = scenario.extra(s)
        let env = scenario.environment(s)
        let before = snapshot(scenario.roots(s))
        var problems: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { problems.append(what()) } }

        var faulty = env
        faulty["BKFIX_FAULT"] = point
        let killed = try await s.bkfix(args + extra, env: faulty)
        check(killed.status == SIGKILL, "not killed there (exit \(killed.status)): \(killed.stderr.suffix(300))")

        // Before the first journal write nothing has started: there is no run to name, and nothing to undo.
        let started = point != FaultInjector.name(.beforeJournalWrite, host: nil, occurrence: 1)
        let status = try CLISandbox.json(try await s.bkfix(["status", "--json"] + extra, env: env).stdout)
        let named = (status["interrupted"] as? [[String: Any]])?.compactMap { $0["run"] as? String } ?? []
        check(named.count == (started ? 1 : 0), "status names \(named) after the kill")

        let recover = try await s.bkfix(["recover", "--undo", "--yes", "--json"] + extra, env: env)
        check(recover.status == 0, "recover --undo --yes exit \(recover.status): \(recover.stderr.suffix(400))")
        let recovered = (try? CLISandbox.json(recover.stdout)["recovered"] as? [[String: Any]]) ?? []
        check(recovered.compactMap { $0["run"] as? String } == named, "recover did not take the run status named")
        for r in recovered {
            if let by = r["undoneBy"] as? [String: Any] {
                check(
                    by["status"] as? String == "applied", "the undo ended \(by["status"] ?? "?"): \(by["error"] ?? "")")
            }
        }

        let after = snapshot(scenario.roots(s))
        for path in Set(before.keys).union(after.keys).sorted() where before[path] != after[path] {
            problems.append("\(path) is not as before the run (\(before[path] == nil ? "new" : "changed"))")
        }
        problems += scenario.undone(s, point: point)

        let history = try await s.bkfix(["history"] + extra, env: env)
        check(history.status == 0, "history exit \(history.status): \(history.stderr)")
        let fsck = try await s.git(["fsck", "--strict"])
        // Dangling objects and the notices of a repo with no commit yet are not damage.
        let broken = (fsck.stdout + fsck.stderr).split(separator: "\n").filter {
            !$0.hasPrefix("dangling ") && !$0.hasPrefix("notice: ")
        }
        check(fsck.status == 0 && broken.isEmpty, "git fsck --strict: \(fsck.stdout) \(fsck.stderr)")
        // A new apply is refused while anything is pending: it passing also says status is clear.
        let again = try await s.bkfix(args + extra, env: env)
        check(again.status == 0, "a new apply exit \(again.status): \(again.stderr.suffix(300))")
        return problems
    }

    /// Runs every point, `width` at a time; returns the failures by point, after printing the tally.
    static func everyPoint(_ scenario: some Scenario, _ points: [String]) async throws -> [String: [String]] {
        let failures = try await runPoints(scenario, points)
        let all = failures.values.flatMap { $0 }
        let notRestored = all.filter { $0.contains("is not as before the run") }.count
        let destroyed = all.filter { $0.contains("left destroyed") }.count
        print(
            "\(type(of: scenario)): kill points tried \(points.count), recovered \(points.count - failures.count), "
                + "files not restored \(notRestored), releases left destroyed \(destroyed)")
        return failures
    }

    static func runPoints(_ scenario: some Scenario, _ points: [String]) async throws -> [String: [String]] {
        var failures: [String: [String]] = [:]
        try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            var next = points.makeIterator()
            func add() -> Bool {
                guard let point = next.next() else { return false }
                group.addTask { (point, try await killAndRecover(scenario, at: point)) }
                return true
            }
            for _ in 0..<width where add() {}
            while let (point, problems) = try await group.next() {
                if !problems.isEmpty { failures[point] = problems }
                _ = add()
            }
        }
        return failures
    }

    // MARK: - The 3-step run: a values file, helmfile destroy (irreversible), helmfile sync (compensating)

    struct ThreeSteps: Scenario {
        static let values = "/data/bkce/blueking/environments/default/mysql-custom-values.yaml.gotmpl"

        func prepare(_ s: CLISandbox) throws -> [String] {
            try s.installWorkDirFixture()
            try s.write(Self.values, s.readText(Self.values) ?? "", mode: 0o640)
            let dir = s.sandboxPath("playbooks")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try """
            id: quota-three-steps
            title: {zh: 调高配额并重建, en: raise-quota's shape without its verify}
            steps:
              - raise-quota: {release: bk-mysql}
              - helmfile: {release: bk-mysql, action: destroy}
              - helmfile: {release: bk-mysql, action: sync}

            """.write(toFile: dir + "/quota-three-steps.yaml", atomically: true, encoding: .utf8)
            return ["apply", "quota-three-steps", "--playbooks", dir, "--install-dir", "/data/bkce", "--yes"]
        }

        func roots(_ s: CLISandbox) -> [String] { [s.root] }
        func extra(_ s: CLISandbox) -> [String] { [] }

        func environment(_ s: CLISandbox) -> [String: String] {
            ["BKFIX_STANDIN_LOG": s.callsLog, "BKFIX_HELMFILE_WATCH": s.root + Self.values]
        }

        func undone(_ s: CLISandbox, point: String) -> [String] {
            let calls = s.calls.map { String($0.split(separator: "\t").last ?? "") }
            let watch = ((try? String(contentsOfFile: s.callsLog + ".watch", encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
            let original = try? String(
                contentsOf: Fixtures.url(
                    "workdir/bkce70/blueking/environments/default/mysql-custom-values.yaml.gotmpl"), encoding: .utf8)
            guard let destroyed = calls.firstIndex(where: { $0.hasSuffix(" destroy") }) else { return [] }
            // After a destroy that ran, the last call must be a sync, with the values file as before the run.
            var problems: [String] = []
            if calls.last?.hasSuffix(" sync") != true || calls.count <= destroyed + 1 {
                problems.append("bk-mysql left destroyed: helmfile calls \(calls)")
            }
            if let original, watch.last != "sync \(SHA256.hex(Data(original.utf8)))" {
                problems.append("the last sync did not see the restored values: \(watch)")
            }
            return problems
        }
    }

    // MARK: - The 2-node run over sshd: a hosts file on each node, and a reversible command on the second
    // (one node's command is enough to put every command point on a node; each one more costs ssh round trips)

    struct TwoNodes: Scenario {
        let sshd: SSHDServer

        func nodeRoot(_ s: CLISandbox, _ node: String) -> String { s.sandboxPath("\(node)-root") }
        func nodeBin(_ s: CLISandbox, _ node: String) -> String { s.sandboxPath("\(node)-bin") }
        func inventory(_ s: CLISandbox) -> String { s.sandboxPath("inventory.yaml") }

        func prepare(_ s: CLISandbox) throws -> [String] {
            for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker"] { try s.standIn(tool) }
            var text = "nodes:\n"
            for node in ["node-1", "node-2"] {
                let root = nodeRoot(s, node)
                try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
                try Data("127.0.0.1 localhost\n10.0.0.11 \(node)\n".utf8).write(
                    to: URL(fileURLWithPath: root + "/etc/hosts"))
                try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: root + "/etc/hosts")
                try ExecutableScript.write(
                    """
                    #!/bin/sh
                    echo "\(node) node-tool $*" >> '\(s.callsLog)'
                    case "$*" in apply|revert) exit 0 ;; esac
                    echo "stand-in node-tool: unexpected arguments: $*" >&2
                    exit 97

                    """, to: nodeBin(s, node) + "/node-tool")
                text += sshd.inventoryEntry(node, root: root, path: [nodeBin(s, node)])
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: inventory(s)))
            let dir = s.sandboxPath("playbooks")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try """
            id: two-nodes
            title: {zh: 两个节点, en: a file and a command on two nodes}
            steps:
              - hosts-entry: {ip: 10.1.2.3, names: [a.test], on: [node-1, node-2]}
              - command: {argv: [node-tool, apply], risk: reversible, undo: [[node-tool, revert]], on: [node-2]}

            """.write(toFile: dir + "/two-nodes.yaml", atomically: true, encoding: .utf8)
            return ["apply", "two-nodes", "--playbooks", dir, "--yes"]
        }

        func roots(_ s: CLISandbox) -> [String] { [s.root, nodeRoot(s, "node-1"), nodeRoot(s, "node-2")] }
        func extra(_ s: CLISandbox) -> [String] { ["--inventory", inventory(s)] }
        func environment(_ s: CLISandbox) -> [String: String] { [:] }

        func undone(_ s: CLISandbox, point: String) -> [String] {
            // A node's command that ran (or may have) is undone after it.
            ["node-1", "node-2"].compactMap { node in
                let mine = s.calls.filter { $0.hasPrefix(node + " ") }
                guard mine.contains("\(node) node-tool apply"), mine.last != "\(node) node-tool revert" else {
                    return nil
                }
                return "\(node): node-tool apply not undone: \(mine)"
            }
        }
    }

    /// Every moment the engine knows appears in the trace, on one of `hosts` where it happens on a host.
    static func expectEveryMoment(_ trace: [String], on hosts: [String]) {
        for moment in FaultMoment.allCases {
            let prefixes = moment.onHost ? hosts.map { moment.rawValue + "@\($0)#" } : [moment.rawValue + "#"]
            #expect(
                trace.contains { point in prefixes.contains { point.hasPrefix($0) } },
                "no point \(prefixes) in the trace")
        }
    }

    /// The README reports how many points the two runs have: it must say the numbers the engine enumerates now.
    static func expectReadmeStates(_ part: String) throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        #expect(try String(contentsOf: readme, encoding: .utf8).contains(part), "README.md should say: \(part)")
    }

    @Test func everyKillPointOfAThreeStepRunIsRecoveredWithNothingLostAndTheReleaseSynced() async throws {
        let points = try await Self.trace(ThreeSteps())
        Self.expectEveryMoment(points, on: ["control"])
        try Self.expectReadmeStates("\(points.count) in the 3-step run")
        let failures = try await Self.everyPoint(ThreeSteps(), points)
        #expect(failures.isEmpty, "\(failures.count) of \(points.count) points failed: \(failures)")
    }

    @Test func everyKillPointOfATwoNodeRunOverSSHIsRecoveredWithNothingLost() async throws {
        let sshd = try SSHDServer()
        defer { sshd.stop() }
        let points = try await Self.trace(TwoNodes(sshd: sshd))
        Self.expectEveryMoment(points, on: ["node-1", "node-2"])
        #expect(points.contains { $0.hasPrefix("file-write.before@node-1#") })
        try Self.expectReadmeStates("\(points.count) in the 2-node run")
        let failures = try await Self.everyPoint(TwoNodes(sshd: sshd), points)
        #expect(failures.isEmpty, "\(failures.count) of \(points.count) points failed: \(failures)")
    }
}
