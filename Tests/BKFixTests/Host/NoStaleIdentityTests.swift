import Foundation
import Testing

@testable import BKFix

/// No pid, inode or other run-time identity ever lands in a plan or in an undo: a saved plan applied later, or a
/// rollback days later, would act on whatever holds that identity by then. Every built-in playbook is planned in a
/// world where every process or inode query answers with a sentinel, and the encoded plan (changes, fallbacks,
/// undo, notes) must not contain it.
@Suite struct NoStaleIdentityTests {
    typealias S = HostTestSupport
    static let sentinelPID = "48151"
    static let sentinelInode = "62342"

    /// Answers every query the built-in playbooks make while planning; identity queries answer the sentinels.
    static func respond(_ argv: [String]) -> CommandResult {
        let line = argv.joined(separator: " ")
        switch argv.first ?? "" {
        case "pidof", "pgrep": return S.ok(argv, "\(sentinelPID)\n")
        case "helm":
            if argv.contains("history") {
                return S.ok(
                    argv,
                    #"[{"revision":1,"updated":"2024-03-18T10:21:07+08:00","status":"superseded","chart":"c-1","app_version":"1","description":"Install complete"},{"revision":2,"updated":"2024-03-18T11:21:07+08:00","status":"pending-upgrade","chart":"c-1","app_version":"1","description":"Preparing upgrade"}]"#
                )
            }
            if argv.contains("status") {
                return S.ok(argv, #"{"name":"r","info":{"status":"pending-upgrade"},"version":2}"#)
            }
            return S.ok(argv, "v3.8.2+g6e3701e\n")
        case "/data/bkce/bin/helm": return S.ok(argv, "v3.12.3+g3a31588\n")
        case "ps": return S.ok(argv, "  PID CMD\n\(sentinelPID) /usr/bin/dockerd\n")
        case "stat": return S.ok(argv, "\(sentinelInode)\n")
        // A clock 62 s ahead, with chronyd installed but stopped: time-sync plans its start and undo.
        case "date": return S.ok(argv, String(format: "%.9f\n", Date().timeIntervalSince1970 + 62))
        case "systemctl":
            if argv.count > 1 && argv[1] == "show" { return S.ok(argv, "MainPID=\(sentinelPID)\n") }
            if line == "systemctl cat docker" {
                return S.ok(argv, "[Service]\nExecStart=/usr/bin/dockerd\nExecReload=/bin/kill -s HUP $MAINPID\n")
            }
            if line == "systemctl is-active firewalld" { return S.fail(argv, 3) }
            if line == "systemctl is-enabled chronyd" { return answer(argv, 1, "disabled\n") }
            if line == "systemctl is-active chronyd" { return answer(argv, 3, "inactive\n") }
            return S.fail(argv, 97, stderr: "unexpected \(line)")
        case "iptables": return S.fail(argv, 1)
        case "docker": return S.ok(argv, "Server:\n Registry Mirrors:\n  https://old.example/\n")
        case "curl": return S.ok(argv, "200")
        case "kubectl":
            if line.contains("get sc") || line.contains("get storageclass") {
                return S.ok(argv, #"{"apiVersion":"v1","items":[],"kind":"List"}"#)
            }
            if line == "kubectl config current-context" { return S.ok(argv, "ctx\n") }
            if line.contains(" get configmap ") {
                return S.ok(
                    argv,
                    #"{"apiVersion":"v1","kind":"ConfigMap","data":{"allow-snippet-annotations":"false"},"metadata":{"name":"ingress-nginx-controller","namespace":"ingress-nginx","resourceVersion":"\#(sentinelPID)","uid":"\#(sentinelInode)"}}"#
                )
            }
            if line.contains(" get pvc ") {
                return S.ok(
                    argv,
                    #"{"items":[{"metadata":{"name":"data-0"},"spec":{"resources":{"requests":{"storage":"8Gi"}}}}]}"#)
            }
            if line.contains(" get pod ") { return S.ok(argv, #"{"items":[]}"#) }
            if line.hasPrefix("kubectl get pod -A -l app.kubernetes.io/instance=bk-repo") {
                return S.ok(argv, crashingPod)
            }
            return S.fail(argv, 1, stderr: "The connection to the server was refused")
        default: return S.fail(argv, 127, stderr: "unexpected \(line)")
        }
    }

    /// systemctl's way: the state on stdout, and a non-zero status when it is not enabled or not running.
    static func answer(_ argv: [String], _ status: Int32, _ stdout: String) -> CommandResult {
        CommandResult(argv: argv, exitCode: status, stdout: stdout, stderr: "", duration: 0, timedOut: false)
    }

    /// A crash-looping pod whose uid is the sentinel: restart-pods names pods by name, never by uid.
    static let crashingPod = #"""
        {"items":[{"metadata":{"name":"bk-repo-gateway-6c8b9f7d5-zz9kq","namespace":"blueking","uid":"\#(sentinelPID)","ownerReferences":[{"kind":"ReplicaSet","name":"bk-repo-gateway-6c8b9f7d5","controller":true}]},"status":{"phase":"Running","containerStatuses":[{"name":"gateway","ready":false,"restartCount":12,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}]}
        """#

    /// Every playbook compiled into bkfix.
    static var builtIn: [String] { EmbeddedDefinitions.playbooks.map(\.stem) }

    static let params: [String: [String]] = [
        "open-kubelet-port": ["node=node-1"], "raise-quota": ["release=bk-elastic"],
        "resync-release": ["release=bk-elastic"], "restart-pods": ["release=bk-repo"],
        "helm-unstick": ["release=bk-job"],
        "helm-reinstall": ["release=bk-job"], "reset-release-data": ["release=bk-redis"],
        "set-value": ["release=bk-ci", "key=a.b", "value=1", "type=string"],
    ]

    @Test func theBuiltInPlaybooksAreAllScanned() {
        #expect(Self.builtIn.count >= 8, "\(Self.builtIn)")
    }

    @Test(arguments: builtIn)
    func noPlanOrUndoOfABuiltInPlaybookCarriesAPidOrAnInode(_ id: String) throws {
        let control = try WorkDirFixture.transport(responder: Self.respond)
        control.setFile("/etc/hosts", Data("127.0.0.1 localhost\n".utf8))
        control.setFile("/etc/docker/daemon.json", Data(#"{"registry-mirrors": ["https://old.example"]}"#.utf8))
        control.setFile("/data/bkce/bin/helm", Data("#!helm\n".utf8), mode: 0o755)
        control.setFile("/data/bkce/blueking/00-localpv.yaml.gotmpl", Data("releases: []\n".utf8))
        control.setFile("/root/.bash_profile", Data("export PATH=/usr/bin:/bin\n".utf8))
        let node = MemoryTransport(
            host: "node-1",
            files: [
                "/proc/cmdline": "ro quiet\n", "/proc/sys/net/ipv6/conf/all/disable_ipv6": "1\n",
                "/proc/sys/net/ipv6/conf/default/disable_ipv6": "1\n",
            ], readOnly: true, responder: Self.respond)
        let hosts = HostDirectory(control: control, nodes: ["node-1": node], addresses: ["node-1": "10.0.0.11"])
        let planner = Planner(
            hosts: hosts, installDir: WorkDirFixture.installDir, language: .en,
            environment: ["PATH": "/usr/bin:/bin", "HOME": "/root"])
        // A root without /etc/bkfix/playbooks: only the built-in playbooks are found.
        let playbook = try PlaybookLibrary(given: [], root: "/nonexistent-root").load(id: id)
        let params = try ParamValidator.resolve(
            playbook, given: try ParamValidator.parseAssignments(Self.params[id] ?? []), derived: [:])
        let plan = try planner.plan(playbook, params: params)
        let text = String(decoding: try RunStore.encoder.encode(plan), as: UTF8.self)
        #expect(!text.contains(Self.sentinelPID), "\(id): the plan names a pid")
        #expect(!text.contains(Self.sentinelInode), "\(id): the plan names an inode")
        // Every argv, fallback and undo, recursively: no word is a bare number that a query just returned.
        func words(_ c: CommandChange) -> [String] { c.argv + c.fallbacks.flatMap { $0 } + c.undo.flatMap(words) }
        for command in plan.commands {
            #expect(!words(command).contains { $0 == Self.sentinelPID || $0.hasSuffix("/\(Self.sentinelPID)") })
        }
    }

    @Test func theDockerReloadFallbacksFindDockerdWhenTheyRun() throws {
        let host = MemoryTransport(readOnly: true)
        let plan = try ServiceReloadStep.plan(HostTestSupport.args("service-reload"), in: HostTestSupport.context(host))
        let reload = try #require(HostTestSupport.commandChanges(plan).first)
        #expect(reload.argv == ["systemctl", "reload", "docker"])
        #expect(
            reload.fallbacks == [
                ["systemctl", "kill", "-s", "HUP", "--kill-who=main", "docker"], ["pkill", "-HUP", "-x", "dockerd"],
            ])
        #expect(reload.undo.first?.fallbacks == reload.fallbacks)
        // Planning asked the host nothing: there is no run-time identity to look up.
        #expect(host.commands.isEmpty)
    }
}
