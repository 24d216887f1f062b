import Foundation

/// A control machine talking to a cluster through stand-in `kubectl`, `helm`, `helmfile`, `systemd-run` and
/// `systemctl` that answer like the real ones (JSON shapes of real output, in `Fixtures/cluster/`) and keep the
/// cluster's state in files, so a patch, a rollback or a sync changes what the next read sees. Every call is
/// recorded; any other argv fails the stand-in loudly.
struct ClusterSandbox {
    static let context = "kubernetes-admin@kubernetes"
    static let installDir = "/data/bkce"
    static let workDir = "/data/bkce/blueking"
    static let configMapPath = "cluster/\(context)/ingress-nginx/configmap/ingress-nginx-controller.yaml"
    static let historyPath = "cluster/\(context)/helm/blueking/bk-paas/history.yaml"
    static let statusPath = "cluster/\(context)/helm/blueking/bk-paas/status.yaml"

    let sandbox: CLISandbox
    /// The cluster's state: the files the stand-ins print and replace.
    var clusterState: String { sandbox.dir.appendingPathComponent("cluster").path }

    init() throws {
        sandbox = try CLISandbox()
        try FileManager.default.createDirectory(atPath: clusterState, withIntermediateDirectories: true)
        let root = Fixtures.url("cluster/workdir")
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count))
            try sandbox.writeData(Self.installDir + relative, try Data(contentsOf: url))
        }
    }

    func cleanup() { sandbox.cleanup() }

    static func fixture(_ name: String) -> String { Fixtures.url("cluster/\(name)").path }

    func state(_ name: String) -> String { clusterState + "/" + name }

    /// Sets the cluster's state file `name` to a fixture.
    func put(_ fixture: String, as name: String) throws {
        let target = state(name)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: Self.fixture(fixture), toPath: target)
    }

    func remove(_ name: String) { try? FileManager.default.removeItem(atPath: state(name)) }

    /// Runs bkfix with the work dir as install dir.
    func bkfix(_ args: [String], stdin: Data = Data(), env: [String: String] = [:]) async throws -> ProcessOutput {
        try await sandbox.bkfix(args + ["--install-dir", Self.installDir], stdin: stdin, env: env)
    }

    var calls: [String] { sandbox.calls }

    /// Stand-in calls that change something (everything but reads).
    var mutatingCalls: [String] {
        calls.filter { call in
            ![
                "kubectl config current-context", " get ", "helm --kube-context \(Self.context) history ",
                "helm --kube-context \(Self.context) status ",
            ].contains { call.contains($0) }
        }
    }

    // MARK: - Stand-in answers

    static var currentContext: (argv: String, answer: StandInAnswer) {
        ("config current-context", StandInAnswer(stdout: context + "\n"))
    }

    /// `kubectl get configmap ingress-nginx-controller -n ingress-nginx -o json`, from the state file `cm.json`.
    func getConfigMap() -> (argv: String, answer: StandInAnswer) {
        (
            "--context \(Self.context) get configmap ingress-nginx-controller -n ingress-nginx -o json",
            StandInAnswer(
                stdoutFile: state("cm.json"),
                missing: "Error from server (NotFound): configmaps \"ingress-nginx-controller\" not found")
        )
    }

    /// The merge patch bkfix must send to set the field, with the resourceVersion it read; then the object is `after`.
    func patchConfigMap(allow: String, resourceVersion: String, extra: String = "", after: String?)
        -> (argv: String, answer: StandInAnswer)
    {
        let data = "{\"allow-snippet-annotations\":\"\(allow)\"\(extra)}"
        return (
            "--context \(Self.context) patch configmap ingress-nginx-controller -n ingress-nginx --type merge -p "
                + "{\"data\":\(data),\"metadata\":{\"resourceVersion\":\"\(resourceVersion)\"}}",
            StandInAnswer(
                stdout: "configmap/ingress-nginx-controller patched\n",
                then: after.map { [(Self.fixture($0), state("cm.json"))] } ?? [])
        )
    }

    /// `helm history` and `helm status` of a release, from the state files `history.json` and `status.json`.
    func helmReads(release: String = "bk-paas") -> [(argv: String, answer: StandInAnswer)] {
        [
            (
                "--kube-context \(Self.context) history -n blueking \(release) -o json",
                StandInAnswer(stdoutFile: state("history.json"), missing: "Error: release: not found")
            ),
            (
                "--kube-context \(Self.context) status -n blueking \(release) -o json",
                StandInAnswer(stdoutFile: state("status.json"), missing: "Error: release: not found")
            ),
        ]
    }

    /// `systemd-run` that records its arguments one per line in `systemd-run.args` (the run id is random, so it
    /// checks the shape), and `systemctl stop bkfix-revert-*.timer`; anything else fails loudly.
    func installSystemd(failing: Bool = false) throws {
        let log = sandbox.callsLog
        let args = sandbox.dir.appendingPathComponent("systemd-run.args").path
        try ExecutableScript.write(
            """
            #!/bin/sh
            echo "systemd-run $*" >> '\(log)'
            case "$1 $2" in
              '--unit=bkfix-revert-'*' --on-active='*) ;;
              *) echo "stand-in systemd-run: unexpected arguments: $*" >&2; exit 97 ;;
            esac
            printf '%s\\n' "$@" > '\(args)'
            \(failing ? "echo 'Failed to start transient timer unit: Unit bkfix-revert.timer already exists.' >&2; exit 1" : "")
            echo "Running timer as unit: ${1#--unit=}.timer"
            echo "Will run service as unit: ${1#--unit=}.service"
            """, to: sandbox.bin + "/systemd-run")
        try ExecutableScript.write(
            """
            #!/bin/sh
            echo "systemctl $*" >> '\(log)'
            case "$*" in
              'stop bkfix-revert-'*'.timer') exit 0 ;;
            esac
            echo "stand-in systemctl: unexpected arguments: $*" >&2
            exit 97
            """, to: sandbox.bin + "/systemctl")
        try FileManager.default.createDirectory(
            atPath: sandbox.root + "/run/systemd/system", withIntermediateDirectories: true)
    }

    /// What `systemd-run` was asked to run later: the argv after its own options.
    var scheduledCommand: [String] {
        let path = sandbox.dir.appendingPathComponent("systemd-run.args").path
        let args = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return Array(args.drop { $0.hasPrefix("--") })
    }

    /// The systemd-run options (`--unit=...`, `--on-active=...`, `--setenv=...`).
    var scheduledOptions: [String] {
        let path = sandbox.dir.appendingPathComponent("systemd-run.args").path
        let args = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        return Array(args.prefix { $0.hasPrefix("--") })
    }

    /// Runs the command a timer would run, by hand, as systemd would (same PATH).
    func runScheduled() async throws -> ProcessOutput {
        let command = scheduledCommand
        return try await ProcessHarness.run(
            command[0], Array(command.dropFirst()), environment: sandbox.environment)
    }
}
