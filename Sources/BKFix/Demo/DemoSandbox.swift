import Foundation

/// The sandbox control machine of `bkfix demo` (SPEC §12): a hosts file with a wrong hub.bktencent.com mapping,
/// a daemon.json with dead mirrors, a BlueKing work dir, and stand-ins for the cluster tools.
public struct DemoSandbox: Sendable {
    public let dir: String
    public var root: String { dir + "/root" }
    public var state: String { dir + "/state" }
    public var bin: String { dir + "/bin" }
    public var installDir: String { "/root/bkce7.1-install" }
    public var log: String { dir + "/setup_bkce7.log" }

    public init(dir: String) { self.dir = dir }

    /// A fresh temp folder for the sandbox.
    public static func makeTemporary() throws -> DemoSandbox {
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array(((tmp as NSString).appendingPathComponent("bkfix-demo-XXXXXX")).utf8CString)
        guard let p = mkdtemp(&template) else { throw DemoError.cannotCreate(reason: String(cString: strerror(errno))) }
        return DemoSandbox(dir: String(cString: p))
    }

    static let hosts = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        # 蓝鲸中控机 / BlueKing control machine
        10.0.0.11\tbk-node-1
        10.0.0.12\tbk-node-2
        # added by a colleague last week
        1.2.3.4 hub.bktencent.com

        """

    /// Both mirrors are dead (the `curl` stand-in answers 403 and a timeout); the stand-in registry is the good one.
    static let daemonJSON = """
        {
          "data-root": "/data/bcs/lib/docker",
          "registry-mirrors": ["https://mirror.ccs.tencentyun.com", "https://hub-mirror.c.163.com"],
          "max-concurrent-downloads": 10,
          "log-driver": "json-file",
          "log-opts": {"max-size": "100m", "max-file": "5"},
          "storage-driver": "overlay2"
        }

        """

    /// What the sandbox's dockerd last loaded (`systemctl reload docker` copies daemon.json here).
    public var dockerdLoaded: String { dir + "/dockerd-loaded.json" }

    static let failureLog = """
        2026-11-26 10:02:11 [INFO] multinode mode deploy
        2026-11-26 10:02:11 [INFO] INSTALL:base
        2026-11-26 10:02:12 [INFO] generate custom.yaml
        Building dependency release=bk-repo, chart=blueking/bkrepo
        STDERR:
          Error: failed to download "blueking/bkrepo" at version "1.1.3"
        COMBINED OUTPUT:
          Error: failed to download "blueking/bkrepo" at version "1.1.3"

        """

    /// Writes the sandbox files. Existing files are replaced so the demo always starts from the same state.
    public func build() throws {
        let fm = FileManager.default
        for d in [root + "/etc/docker", root + installDir + "/blueking/environments/default", bin, state] {
            try fm.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        try write(root + "/etc/hosts", Self.hosts, mode: 0o644)
        try write(root + "/etc/docker/daemon.json", Self.daemonJSON, mode: 0o644)
        try write(dockerdLoaded, Self.daemonJSON, mode: 0o644)
        try write(log, Self.failureLog, mode: 0o644)
        try write(
            root + installDir + "/blueking/base-storage.yaml.gotmpl",
            """
            releases:
              - name: bk-elastic
                namespace: {{ .Values.namespace }}
                chart: ./charts/elasticsearch-{{ .Values.version.elasticsearch }}.tgz
                missingFileHandler: Warn
                version: {{ .Values.version.elasticsearch }}
                values:
                  - ./environments/default/elasticsearch-values.yaml.gotmpl
                  - ./environments/default/elasticsearch-custom-values.yaml.gotmpl

            """, mode: 0o644)
        try write(
            root + installDir + "/blueking/environments/default/elasticsearch-values.yaml.gotmpl",
            """
            # elasticsearch 默认配置
            master:
              resources:
                limits:
                  cpu: 1000m
                  memory: 2048Mi
            data:
              resources:
                limits:
                  cpu: 1000m
                  memory: 2048Mi
            coordinating:
              resources:
                limits:
                  cpu: 1000m
                  memory: 2048Mi

            """, mode: 0o644)
        for tool in ["kubectl", "helm", "helmfile", "systemctl", "docker", "pidof", "curl"] {
            try write(bin + "/" + tool, standIn(tool), mode: 0o755)
        }
    }

    /// The shell `case` arms each stand-in answers ("$*" patterns); everything else fails loudly.
    func answers(_ tool: String) -> [(pattern: String, body: String)] {
        switch tool {
        case "helm": return [(#""version --short""#, #"echo "v3.9.4+g1234567"; exit 0"#)]
        case "kubectl": return [(#""get sc -o json""#, #"echo '{"apiVersion":"v1","items":[],"kind":"List"}'; exit 0"#)]
        case "systemctl":
            return [
                (
                    #""cat docker""#,
                    #"printf '# /usr/lib/systemd/system/docker.service\n[Service]\nExecStart=/usr/bin/dockerd\nExecReload=/bin/kill -s HUP $MAINPID\n'; exit 0"#
                ),
                (
                    #""reload docker""#,
                    #"cp "\#(root)/etc/docker/daemon.json" "\#(dockerdLoaded)" 2>/dev/null || rm -f "\#(dockerdLoaded)"; exit 0"#
                ),
            ]
        case "docker":
            // Lists the registry-mirrors of the daemon.json dockerd loaded last, as `docker info` does.
            return [
                (
                    #""info""#,
                    #"""
                    echo "Server:"; echo " Server Version: 19.03.15"; echo " Registry Mirrors:"
                    if [ -f "\#(dockerdLoaded)" ]; then
                      mirrors=$(tr -d '\n' < "\#(dockerdLoaded)" | sed -n 's/.*"registry-mirrors"[[:space:]]*:[[:space:]]*\[\([^]]*\)\].*/\1/p' | tr ',"' '  ')
                      for m in $mirrors; do echo "  $m/"; done
                    fi
                    echo " Live Restore Enabled: true"; exit 0
                    """#
                )
            ]
        case "pidof": return [(#""dockerd""#, "echo 4242; exit 0")]
        case "curl":
            return [
                (#"*" https://mirror.ccs.tencentyun.com/v2/""#, "printf 403; exit 0"),
                (#"*" https://hub-mirror.c.163.com/v2/""#, "printf 000; exit 28"),
            ]
        default: return []
        }
    }

    /// A stand-in that records its argv and answers like a cluster in trouble; anything unexpected fails loudly.
    func standIn(_ tool: String) -> String {
        var script = """
            #!/bin/sh
            # bkfix demo stand-in for \(tool): records argv, answers a few known calls, fails loudly on anything else.
            echo "\(tool) $*" >> "\(dir)/standins.log"
            case "$*" in

            """
        for arm in answers(tool) { script += "  \(arm.pattern))\n    \(arm.body)\n    ;;\n" }
        script += """
            esac
            echo "demo stand-in \(tool): unexpected arguments: $*" >&2
            exit 97

            """
        return script
    }

    private func write(_ path: String, _ text: String, mode: mode_t) throws {
        try AtomicFile.write(Data(text.utf8), to: path, mode: mode)
        chmod(path, mode)
    }
}

/// Failure to build the demo sandbox.
public enum DemoError: LocalizedError, Equatable {
    case cannotCreate(reason: String)
    case stepFailed(command: String, status: Int32)

    public var errorDescription: String? {
        switch self {
        case .cannotCreate(let reason): return "cannot create the demo sandbox: \(reason)"
        case .stepFailed(let command, let status): return "demo step failed (exit \(status)): \(command)"
        }
    }
}

extension DemoError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .cannotCreate, .stepFailed: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .cannotCreate, .stepFailed: return "demo"
        }
    }
}
