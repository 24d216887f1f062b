import Foundation
import Testing

/// docker-mirror through the real binary on a temp root (issue #4): the mirrors are probed over real HTTP against a
/// server on 127.0.0.1, the https mirrors of the fixture daemon.json only through a `curl` stand-in, and dockerd is
/// a pair of stand-ins: `systemctl reload docker` loads daemon.json, `docker info` lists what was loaded.
@Suite struct DockerMirrorCLITests {
    static let daemonJSON = "/etc/docker/daemon.json"
    static let deadMirrors = ["https://docker.mirrors.ustc.edu.cn", "https://registry.docker-cn.com"]

    /// The curl argv MirrorProbe uses for an https mirror with the default 3 s timeout.
    static func curlArgv(_ mirror: String) -> String {
        "-s -o /dev/null -w %{http_code} --connect-timeout 3 --max-time 3 \(mirror)/v2/"
    }

    /// `docker info` built from the daemon.json dockerd loaded last (its `registry-mirrors`, with docker's slash).
    static let dockerInfoBody = #"""
            loaded="$SANDBOX/dockerd-loaded.json"
            echo 'Server:'
            echo ' Server Version: 19.03.15'
            echo ' Docker Root Dir: /data/bcs/lib/docker'
            echo ' Registry Mirrors:'
            if [ -f "$loaded" ]; then
              mirrors=$(tr -d '\n' < "$loaded" \
                | sed -n 's/.*"registry-mirrors"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p' | tr ',"' '  ')
              for m in $mirrors; do echo "  $m/"; done
            fi
            echo ' Live Restore Enabled: true'
            exit 0
        """#

    struct Setup {
        let sandbox: CLISandbox
        let server: LocalHTTPServer
        let refused: String
        var alive: [String] { [server.mirror("200"), server.mirror("401")] }
        var candidates: String { (alive + [server.mirror("403"), refused]).joined(separator: ",") }

        func cleanup() {
            server.stop()
            sandbox.cleanup()
        }
    }

    /// A root with the fixture daemon.json (dead https mirrors, 4-space indent, given mode), dockerd running on
    /// it, and stand-ins for every tool the fix may call.
    func setup(daemon: String? = nil, mode: Int = 0o644, unit: String = "host/docker/systemctl-cat-docker.txt")
        throws -> Setup
    {
        let s = try CLISandbox()
        try s.refuseAllTools()
        let content = try daemon ?? Fixtures.text("host/docker/daemon-dead.json")
        if daemon != "" {
            try s.write(Self.daemonJSON, content, mode: mode)
            try Data(content.utf8).write(to: URL(fileURLWithPath: s.sandboxPath("dockerd-loaded.json")))
        } else {
            try FileManager.default.createDirectory(atPath: s.root + "/etc/docker", withIntermediateDirectories: true)
        }
        try s.scriptedStandIn(
            "systemctl",
            cases: [
                ("cat docker", "    cat '\(Fixtures.url(unit).path)'\n    exit 0"),
                (
                    "reload docker",
                    #"    cp "$ROOT/etc/docker/daemon.json" "$SANDBOX/dockerd-loaded.json" 2>/dev/null || rm -f "$SANDBOX/dockerd-loaded.json""#
                        + "\n    exit 0"
                ),
            ])
        try s.scriptedStandIn("docker", cases: [("info", Self.dockerInfoBody)])
        // The configured https mirrors are dead: one forbids, one times out. Real curl is never reached.
        try s.standIn(
            "curl",
            answers: [Self.curlArgv(Self.deadMirrors[0]): ("403", 0), Self.curlArgv(Self.deadMirrors[1]): ("000", 28)])
        return Setup(
            sandbox: s, server: try LocalHTTPServer(), refused: "http://127.0.0.1:\(LocalHTTPServer.closedPort())")
    }

    func mirrorsParam(_ t: Setup) -> [String] { ["-p", "mirrors=\(t.candidates)"] }

    /// The fixture daemon.json with only its registry-mirrors line replaced.
    func expectedDaemonJSON(_ mirrors: [String]) throws -> String {
        let original = try Fixtures.text("host/docker/daemon-dead.json")
        let old = #""registry-mirrors": ["https://docker.mirrors.ustc.edu.cn", "https://registry.docker-cn.com"]"#
        let new = #""registry-mirrors": ["# + mirrors.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        return original.replacingOccurrences(of: old, with: new)
    }

    @Test func planShowsTheProbeTableAndTheDiffAndChangesNothing() async throws {
        let t = try setup()
        defer { t.cleanup() }
        let before = t.sandbox.rootSnapshot()
        let r = try await t.sandbox.bkfix(["plan", "docker-mirror"] + mirrorsParam(t))
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.components(separatedBy: "\n")
        func row(_ mirror: String) -> String? { lines.first { $0.hasPrefix("note: \(mirror) ") } }
        #expect(row(Self.deadMirrors[0])?.contains("dead") == true)
        #expect(row(Self.deadMirrors[0])?.contains("HTTP 403") == true)
        #expect(row(Self.deadMirrors[1])?.contains("timeout") == true)
        #expect(row(t.server.mirror("200"))?.contains("alive") == true)
        #expect(row(t.server.mirror("401"))?.contains("HTTP 401") == true)
        #expect(row(t.server.mirror("403"))?.contains("dead") == true)
        #expect(row(t.refused)?.contains("connection refused") == true)
        #expect(r.stdout.contains("removing dead mirrors: \(Self.deadMirrors.joined(separator: ", "))"))
        #expect(r.stdout.contains("--- a/etc/docker/daemon.json"))
        #expect(r.stdout.contains("$ systemctl reload docker  [reversible]"))
        #expect(r.stdout.contains("fallback: systemctl kill -s HUP --kill-who=main docker"))
        #expect(r.stdout.contains("fallback: pkill -HUP -x dockerd"))
        #expect(r.stdout.contains("1 file, 1 command (1 reversible) on 1 host"))
        // Read-only queries only; every mirror really probed; nothing written, no state repo.
        #expect(t.sandbox.mutatingCalls.isEmpty, "\(t.sandbox.calls)")
        #expect(t.sandbox.calls.contains("systemctl cat docker"))
        #expect(t.sandbox.calls.filter { $0.hasPrefix("curl ") }.count == 2)
        #expect(Set(t.server.requests) == Set(["200", "401", "403"].map { "GET /\($0)/v2/ HTTP/1.1" }))
        #expect(t.sandbox.rootUnchanged(since: before))
        #expect(!FileManager.default.fileExists(atPath: t.sandbox.state + "/.git"))
    }

    @Test func planJSONListsTheFileTheReloadAndItsUndo() async throws {
        let t = try setup()
        defer { t.cleanup() }
        let doc = try CLISandbox.json(
            try await t.sandbox.bkfix(["plan", "docker-mirror", "--json"] + mirrorsParam(t)).stdout)
        let changes = try #require(doc["changes"] as? [[String: Any]])
        #expect(changes.map { $0["type"] as? String } == ["file", "command"])
        #expect(changes[0]["path"] as? String == Self.daemonJSON)
        #expect(changes[1]["argv"] as? [String] == ["systemctl", "reload", "docker"])
        #expect(changes[1]["undo"] as? [[String]] == [["systemctl", "reload", "docker"]])
        #expect((doc["params"] as? [String: Any])?["mirrors"] as? [String] == t.candidates.components(separatedBy: ","))
        #expect((doc["verify"] as? [[String: Any]])?.first?["check"] as? String == "docker-mirrors")
    }

    @Test func applyWritesTheWorkingMirrorsKeepsStyleAndModeReloadsAndVerifies() async throws {
        let t = try setup(mode: 0o600)
        defer { t.cleanup() }
        let r = try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes", "--json"] + mirrorsParam(t))
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["status"] as? String == "applied")
        let runID = try #require(doc["run"] as? String)
        #expect(t.sandbox.readText(Self.daemonJSON) == (try expectedDaemonJSON(t.alive)))
        #expect(t.sandbox.mode(Self.daemonJSON) == 0o600)
        #expect(t.sandbox.calls.filter { $0 == "systemctl reload docker" }.count == 1)
        let shown = try CLISandbox.json(try await t.sandbox.bkfix(["show", runID, "--json"]).stdout)
        let verify = try #require((shown["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "docker-mirrors")
        #expect(verify["ok"] as? Bool == true)
        #expect((verify["detail"] as? String)?.contains(t.server.mirror("200")) == true)
        let command = try #require((shown["commands"] as? [[String: Any]])?.first)
        #expect(command["argv"] as? [String] == ["systemctl", "reload", "docker"])
        #expect(command["status"] as? String == "done")
        #expect((shown["notes"] as? [String])?.contains { $0.contains("HTTP 403") } == true)
        let files = try #require(shown["files"] as? [[String: Any]])
        #expect(files.first?["path"] as? String == Self.daemonJSON)
        #expect((files.first?["diff"] as? String)?.contains("+    \"registry-mirrors\": [\"\(t.alive[0])\"") == true)
    }

    @Test func applyingAgainChangesNothingAndRecordsNothing() async throws {
        let t = try setup()
        defer { t.cleanup() }
        #expect(try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes"] + mirrorsParam(t)).status == 0)
        let after = t.sandbox.read(Self.daemonJSON)
        let again = try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes", "--json"] + mirrorsParam(t))
        #expect(again.status == 0, "\(again.stderr)")
        let doc = try CLISandbox.json(again.stdout)
        #expect(doc["status"] as? String == "no-changes")
        #expect(doc["run"] is NSNull)
        #expect(t.sandbox.read(Self.daemonJSON) == after)
        #expect(t.sandbox.calls.filter { $0 == "systemctl reload docker" }.count == 1)
        #expect(try await t.sandbox.historyRuns().count == 1)
        let text = try await t.sandbox.bkfix(["plan", "docker-mirror"] + mirrorsParam(t))
        #expect(text.stdout.contains("registry-mirrors already lists the working mirrors"))
        #expect(text.stdout.contains("no changes: already applied"))
    }

    @Test func rollbackRestoresTheExactBytesAndModeAndReloadsTheOldMirrors() async throws {
        let original = try Fixtures.text("host/docker/daemon-dead.json")
        let t = try setup(mode: 0o640)
        defer { t.cleanup() }
        let applied = try CLISandbox.json(
            try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes", "--json"] + mirrorsParam(t)).stdout)
        let runID = try #require(applied["run"] as? String)
        let rb = try await t.sandbox.bkfix(["rollback", runID, "--yes", "--json"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(try CLISandbox.json(rb.stdout)["rollbackOf"] as? String == runID)
        #expect(t.sandbox.read(Self.daemonJSON) == Data(original.utf8))
        #expect(t.sandbox.mode(Self.daemonJSON) == 0o640)
        // The undo reloads dockerd, which reads the old mirrors back.
        #expect(t.sandbox.calls.filter { $0 == "systemctl reload docker" }.count == 2)
        let loaded = try String(contentsOfFile: t.sandbox.sandboxPath("dockerd-loaded.json"), encoding: .utf8)
        #expect(loaded == original)
        let runs = try await t.sandbox.historyRuns()
        #expect(runs.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs.allSatisfy { $0["playbook"] as? String == "docker-mirror" })
        #expect(runs[1]["case"] as? String == "docker-mirror-dead")
        #expect(runs[1]["files"] as? [String] == ["control:/etc/docker/daemon.json"])
        let log = try await t.sandbox.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Kind: rollback"))
        #expect(log.stdout.contains("Rollback-Of: \(runID)"))
    }

    @Test func aMissingDaemonJSONIsCreatedWith0644AndRollbackRemovesIt() async throws {
        let t = try setup(daemon: "")
        defer { t.cleanup() }
        let r = try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes"] + mirrorsParam(t))
        #expect(r.status == 0, "\(r.stderr)")
        let created = try #require(t.sandbox.readText(Self.daemonJSON))
        let parsed = try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any]
        #expect(parsed?["registry-mirrors"] as? [String] == t.alive)
        #expect(t.sandbox.mode(Self.daemonJSON) == 0o644)
        #expect(try await t.sandbox.bkfix(["rollback", "--last", "--yes"]).status == 0)
        #expect(t.sandbox.read(Self.daemonJSON) == nil)
    }

    @Test func noWorkingMirrorExitsNonZeroAndChangesNothing() async throws {
        let t = try setup()
        defer { t.cleanup() }
        let before = t.sandbox.rootSnapshot()
        let dead = [t.server.mirror("403"), t.server.mirror("404"), t.refused].joined(separator: ",")
        for command in ["plan", "apply"] {
            let r = try await t.sandbox.bkfix(
                [command, "docker-mirror", "-p", "mirrors=\(dead)"] + (command == "apply" ? ["--yes"] : []))
            #expect(r.status != 0)
            #expect(r.stderr.contains("no mirror answered"), "\(r.stderr)")
            #expect(r.stderr.contains("nothing was changed"))
            #expect(r.stderr.contains("HTTP 404"))
        }
        #expect(t.sandbox.rootUnchanged(since: before))
        #expect(t.sandbox.mutatingCalls.isEmpty)
        #expect(try await t.sandbox.historyRuns().isEmpty)
    }

    @Test func aRegistryMirrorFlagOnDockerdIsReportedAndNothingIsProbedOrChanged() async throws {
        let t = try setup(unit: "host/docker/systemctl-cat-docker-flag.txt")
        defer { t.cleanup() }
        let before = t.sandbox.rootSnapshot()
        let r = try await t.sandbox.bkfix(["apply", "docker-mirror", "--yes", "--json"] + mirrorsParam(t))
        #expect(r.status != 0)
        let message = try #require((CLISandbox.json(r.stdout)["error"] as? [String: Any])?["message"] as? String)
        #expect(message.contains("/etc/systemd/system/docker.service.d/mirror.conf:"), "\(message)")
        #expect(message.contains("--registry-mirror"))
        #expect(message.contains("refuses to start"))
        #expect(message.contains(Self.daemonJSON))
        #expect(t.server.requests.isEmpty)
        #expect(!t.sandbox.calls.contains { $0.hasPrefix("curl") })
        #expect(t.sandbox.mutatingCalls.isEmpty)
        #expect(t.sandbox.rootUnchanged(since: before))
    }

    @Test func aSavedPlanAppliesExactlyWithoutProbingAgainAndAStaleOneIsRefused() async throws {
        let t = try setup()
        defer { t.cleanup() }
        let planFile = t.sandbox.sandboxPath("plan.json")
        #expect(try await t.sandbox.bkfix(["plan", "docker-mirror", "--out", planFile] + mirrorsParam(t)).status == 0)
        let probes = t.server.requests.count
        let applied = try await t.sandbox.bkfix(["apply", "--plan", planFile, "--yes", "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try CLISandbox.json(applied.stdout)["status"] as? String == "applied")
        #expect(t.server.requests.count == probes)
        #expect(t.sandbox.readText(Self.daemonJSON) == (try expectedDaemonJSON(t.alive)))

        let u = try setup()
        defer { u.cleanup() }
        let stale = u.sandbox.sandboxPath("plan.json")
        #expect(try await u.sandbox.bkfix(["plan", "docker-mirror", "--out", stale] + mirrorsParam(u)).status == 0)
        let edited = try Fixtures.text("host/docker/daemon-dead.json").replacingOccurrences(of: "10", with: "3")
        try u.sandbox.write(Self.daemonJSON, edited)
        let refused = try await u.sandbox.bkfix(["apply", "--plan", stale, "--yes"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("stale plan: /etc/docker/daemon.json"))
        #expect(u.sandbox.readText(Self.daemonJSON) == edited)
        #expect(u.sandbox.mutatingCalls.isEmpty)
    }

    @Test func theProbeTableAndNotesSpeakChinese() async throws {
        let t = try setup()
        defer { t.cleanup() }
        let r = try await t.sandbox.bkfix(["plan", "docker-mirror", "--lang", "zh"] + mirrorsParam(t))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("替换失效的 docker 镜像源"))
        #expect(r.stdout.contains("镜像源"))
        #expect(r.stdout.contains("可用"))
        #expect(r.stdout.contains("不可用"))
        #expect(r.stdout.contains("移除失效的镜像源"))
    }
}
