import Foundation

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// Why the test sshd could not be started: tests fail loudly, never skip (CI installs openssh-server).
enum SSHDServerError: Error, CustomStringConvertible {
    case setupFailed(String)

    var description: String {
        switch self {
        case .setupFailed(let why): return "cannot start the test sshd: \(why)"
        }
    }
}

/// A real OpenSSH server on 127.0.0.1 and a random port, with its own host key, client key and authorized_keys in a
/// temp dir; `stop()` kills it and closes the client's control masters.
final class SSHDServer: @unchecked Sendable {
    let dir: URL
    let port: Int
    var pid: pid_t? {
        (try? String(contentsOfFile: dir.appendingPathComponent("sshd.pid").path, encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
    var clientKey: String { dir.appendingPathComponent("client_key").path }
    var knownHosts: String { dir.appendingPathComponent("known_hosts").path }
    var controlDir: String { dir.appendingPathComponent("cm").path }
    /// The user tests log in as: whoever runs the tests.
    static var user: String { getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "root" }

    init() throws {
        // A short path: control sockets live under it and a socket path has at most 107 bytes.
        dir = URL(fileURLWithPath: "/tmp/bkfix-sshd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // The control socket folder must be private (SSHControlDirectory refuses anything else).
        try FileManager.default.createDirectory(
            atPath: dir.appendingPathComponent("cm").path, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        for key in ["host_key", "client_key"] {
            let r = try ProcessRunner.run(
                ["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.appendingPathComponent(key).path],
                workdir: nil, environment: ["PATH": "/usr/bin:/bin"], timeout: 30, output: nil)
            guard r.succeeded else { throw SSHDServerError.setupFailed("ssh-keygen: \(r.stderr)") }
        }
        try FileManager.default.copyItem(
            at: dir.appendingPathComponent("client_key.pub"), to: dir.appendingPathComponent("authorized_keys"))
        if getuid() == 0 && !FileManager.default.fileExists(atPath: "/run/sshd") {
            try FileManager.default.createDirectory(
                atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        port = try Self.freePort()
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir.path)/host_key
            AuthorizedKeysFile \(dir.path)/authorized_keys
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            StrictModes no
            UsePAM no
            PidFile \(dir.path)/sshd.pid
            LogLevel ERROR
            MaxStartups 100
            MaxSessions 100

            """
        let configPath = dir.appendingPathComponent("sshd_config").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        // Daemon mode through ProcessRunner, not Foundation's Process: a long-lived child of the test process would
        // keep Foundation from noticing when the bkfix processes that the CLI tests start have exited.
        let log = dir.appendingPathComponent("sshd.log")
        let started = try ProcessRunner.run(
            ["/usr/sbin/sshd", "-f", configPath, "-E", log.path], workdir: nil,
            environment: ["PATH": "/usr/sbin:/usr/bin:/bin"],
            timeout: 30, output: nil)
        guard started.succeeded else {
            throw SSHDServerError.setupFailed("/usr/sbin/sshd exited \(started.exitCode): \(started.stderr)")
        }
        let deadline = Date().addingTimeInterval(10)
        while TCPPortCheck.connect(address: "127.0.0.1", port: UInt16(port), timeout: 0.2) != nil {
            if Date() > deadline {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                stop()
                throw SSHDServerError.setupFailed("sshd did not listen on 127.0.0.1:\(port): \(output)")
            }
            usleep(20_000)
        }
    }

    /// A node of an inventory pointing at this server; `root` and `path` as the inventory's test fields.
    func node(_ name: String, root: String = "/", path: [String] = [], port: Int? = nil) -> InventoryNode {
        InventoryNode(
            name: name, address: "127.0.0.1", user: Self.user, port: port ?? self.port, key: clientKey, root: root,
            path: path, knownHosts: knownHosts, strictHostKeyChecking: false, connectTimeout: 5, controlDir: controlDir)
    }

    /// The same node as inventory YAML lines (one list item); `controlDir: false` leaves the folder to bkfix.
    func inventoryEntry(
        _ name: String, root: String, path: [String] = [], port: Int? = nil, controlDir: Bool = true
    ) -> String {
        var s = """
              - name: \(name)
                address: 127.0.0.1
                user: \(Self.user)
                port: \(port ?? self.port)
                key: \(clientKey)
                known_hosts: \(knownHosts)
                strict: false
                connect_timeout: 5
                root: \(root)

            """
        if !path.isEmpty { s += "    path: [\(path.joined(separator: ", "))]\n" }
        if controlDir { s += "    control_dir: \(self.controlDir)\n" }
        return s
    }

    func stop() {
        if let pid {
            // Close the client's control masters first, so no ssh lingers after the test: each bkfix closes its own
            // when it ends, but one that was killed leaves its master behind (ControlPersist).
            let sockets = (try? FileManager.default.contentsOfDirectory(atPath: controlDir)) ?? []
            for socket in sockets where !socket.contains(".") {
                _ = try? ProcessRunner.run(
                    [
                        "ssh", "-o", "ControlPath=\(controlDir)/\(socket)", "-O", "exit", "--",
                        "\(Self.user)@127.0.0.1",
                    ], workdir: nil, environment: ProcessInfo.processInfo.environment, timeout: 5, output: nil)
            }
            kill(pid, SIGTERM)
        }
        // A closing master may still be removing its socket while we delete the directory: try again briefly.
        for _ in 0..<20 {
            try? FileManager.default.removeItem(at: dir)
            if !FileManager.default.fileExists(atPath: dir.path) { break }
            usleep(50_000)
        }
    }

    /// A port nobody listens on right now (bound to 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SSHDServerError.setupFailed("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw SSHDServerError.setupFailed("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension InventoryNode {
    /// The node without an inventory `control_dir`, as bkfix sees it when the inventory has none.
    var withoutControlDir: InventoryNode {
        var node = self
        node.controlDir = nil
        return node
    }
}
