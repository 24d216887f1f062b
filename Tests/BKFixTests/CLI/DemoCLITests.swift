import Foundation
import Testing

/// `bkfix demo` end to end: the real binary builds its sandbox, runs every step, and leaves the runs in its state
/// repo (checked with the real git CLI). No network: the demo's mirrors are stand-ins and a local registry.
@Suite struct DemoCLITests {
    @Test func theDemoRunsEveryStepAndRecordsHubHostsAndDockerMirrorRuns() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let demoDir = s.dir.appendingPathComponent("demo").path
        let r = try await ProcessHarness.run(
            CLISandbox.binary, ["demo", "--dir", demoDir, "--lang", "en"], environment: s.environment)
        #expect(r.status == 0, "\(r.stderr)\n\(r.stdout)")
        for heading in [
            "### 1. diagnose", "### 2. plan the fix", "### 3. apply it", "### 7. roll it back", "### 9. status",
            "### 10. docker-mirror", "### 11. apply it", "### 12. raise-quota", "### 13. history",
        ] {
            #expect(r.stdout.contains(heading), "missing \(heading)")
        }
        #expect(r.stdout.contains("$ bkfix plan docker-mirror -p mirrors=http://127.0.0.1:"))
        // The probe table: the sandbox's mirrors are dead, the stand-in registry answers.
        #expect(r.stdout.contains("https://mirror.ccs.tencentyun.com"))
        #expect(r.stdout.contains("HTTP 403"))
        #expect(r.stdout.contains("HTTP 200"))
        #expect(r.stderr.contains("verify docker-mirrors on control: ok"), "\(r.stderr)")

        let daemon = try String(contentsOfFile: demoDir + "/root/etc/docker/daemon.json", encoding: .utf8)
        #expect(daemon.contains(#""registry-mirrors": ["http://127.0.0.1:"#))
        #expect(daemon.contains(#""log-opts": {"max-size": "100m", "max-file": "5"}"#))
        let standIns = try String(contentsOfFile: demoDir + "/standins.log", encoding: .utf8)
        // Every call the steps made is one the demo's stand-ins answer (an unexpected one exits 97, and a failing
        // read-only query would be swallowed by the planner, so check the calls themselves).
        let curl = "curl -s -o /dev/null -w %{http_code} --connect-timeout 3 --max-time 3 "
        let answered: Set<String> = [
            "systemctl cat docker", "systemctl reload docker", "docker info",
            curl + "https://mirror.ccs.tencentyun.com/v2/", curl + "https://hub-mirror.c.163.com/v2/",
        ]
        let made = Set(standIns.split(separator: "\n").map(String.init))
        #expect(made.isSubset(of: answered), "\(made.subtracting(answered))")
        #expect(made.contains("systemctl reload docker"))

        let log = try await ProcessHarness.run(
            "/usr/bin/git", ["-C", demoDir + "/state", "log", "--format=%B%x00"],
            environment: ["HOME": s.dir.path, "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin", "LC_ALL": "C"])
        #expect(log.status == 0, "\(log.stderr)")
        let messages = log.stdout.components(separatedBy: "\0").filter { $0.contains("Run-Id: ") }
        let kinds = messages.map { m in
            (m.contains("Playbook: docker-mirror") ? "docker-mirror" : "hub-hosts") + "/"
                + (m.contains("Kind: rollback") ? "rollback" : "apply")
        }
        #expect(kinds == ["docker-mirror/apply", "hub-hosts/rollback", "hub-hosts/apply"], "\(log.stdout)")
    }

    @Test func theDemoSandboxStandInsRefuseWhatTheyDoNotKnow() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let demoDir = s.dir.appendingPathComponent("demo").path
        #expect(
            try await ProcessHarness.run(CLISandbox.binary, ["demo", "--dir", demoDir], environment: s.environment)
                .status == 0)
        for (tool, args) in [
            ("curl", ["https://example.com/v2/"]), ("docker", ["rm", "-f", "x"]), ("helmfile", ["sync"]),
        ] {
            let r = try await ProcessHarness.run(demoDir + "/bin/" + tool, args, environment: ["PATH": "/usr/bin:/bin"])
            #expect(r.status == 97)
            #expect(r.stderr.contains("unexpected arguments"))
        }
    }
}
