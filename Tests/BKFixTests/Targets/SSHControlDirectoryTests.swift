import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// SSH control sockets live in a folder that is bkfix's own: refused otherwise, before anything is sent.
@Suite struct SSHControlDirectoryTests {
    /// A TCP port that listens but never answers: whether anything connected to it is checked afterwards.
    final class Listener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard ok else { throw SSHDServerError.setupFailed("listener: \(errno)") }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Whether a connection is waiting (accept would succeed).
        var somebodyConnected: Bool {
            let client = accept(fd, nil, nil)
            if client >= 0 { close(client) }
            return client >= 0
        }

        deinit { close(fd) }
    }

    func node(port: Int, controlDir: String?) -> InventoryNode {
        InventoryNode(
            name: "node-1", address: "127.0.0.1", user: "root", port: port, strictHostKeyChecking: false,
            connectTimeout: 2, controlDir: controlDir)
    }

    func refusal(_ transport: SSHTransport) -> String? {
        do {
            _ = try transport.read("/etc/hosts")
            return nil
        } catch SSHTransportError.controlDirectoryUnusable(let node, let path, let reason) {
            return "\(node) \(path) \(reason)"
        } catch {
            return "other error: \(error)"
        }
    }

    @Test func aPreCreatedFolderOthersCanEnterIsRefusedAndNothingIsSent() throws {
        let listener = try Listener()
        let dir = try Fixtures.tempDir("cm").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o755) == 0)
        let t = SSHTransport(node: node(port: listener.port, controlDir: dir), environment: [:])
        let message = try #require(refusal(t))
        #expect(message.contains("node-1 \(dir) its mode 755 lets other users in"), "\(message)")
        #expect(!listener.somebodyConnected)
        let error = SSHTransportError.controlDirectoryUnusable(node: "node-1", path: dir, reason: "x")
        #expect(error.localizedDescription.contains("refusing to keep SSH control sockets in \(dir)"))
        #expect(error.localizedDescription.hasSuffix("nothing was sent"))
    }

    @Test func aFolderOwnedBySomebodyElseIsRefused() throws {
        guard geteuid() == 0 else {
            print("skipped: chown to another user needs root")
            return
        }
        let listener = try Listener()
        let dir = try Fixtures.tempDir("cm").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(chmod(dir, 0o700) == 0)
        #expect(chown(dir, 4242, 4242) == 0)
        let message = try #require(
            refusal(SSHTransport(node: node(port: listener.port, controlDir: dir), environment: [:])))
        #expect(message.contains("it is owned by uid 4242, not by uid 0 that runs bkfix"), "\(message)")
        #expect(!listener.somebodyConnected)
    }

    @Test func aSymlinkIsRefusedEvenToAPrivateFolder() throws {
        let listener = try Listener()
        let base = try Fixtures.tempDir("cm").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(mkdir(base + "/real", 0o700) == 0)
        #expect(symlink(base + "/real", base + "/link") == 0)
        let t = SSHTransport(node: node(port: listener.port, controlDir: base + "/link"), environment: [:])
        #expect(refusal(t)?.contains("it is a symlink") == true)
        #expect(!listener.somebodyConnected)
    }

    @Test func aMissingFolderIsCreatedPrivate() throws {
        let base = try Fixtures.tempDir("cm").path
        defer { try? FileManager.default.removeItem(atPath: base) }
        try SSHControlDirectory.ensurePrivate(base + "/ssh", node: "n")
        var st = stat()
        #expect(lstat(base + "/ssh", &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o700)
        #expect(st.st_uid == geteuid())
    }

    @Test func theStateReposRuntimeFolderComesFirstThenXDGThenNoControlMaster() throws {
        let state = try Fixtures.tempDir("st").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let runtime = RunStore.runtimeDir(ofRepoAt: state)
        let n = node(port: 22, controlDir: nil)
        let xdg = ["XDG_RUNTIME_DIR": "/run/user/0"]
        // No state repo yet: XDG, else none.
        #expect(SSHControlDirectory.choose(node: n, runtimeDir: runtime, environment: xdg) == "/run/user/0/bkfix-ssh")
        #expect(SSHControlDirectory.choose(node: n, runtimeDir: runtime, environment: [:]) == nil)
        let none = SSHTransport(node: n, environment: [:], runtimeDir: runtime).sshArguments()
        #expect(none.contains("ControlMaster=no") && none.contains("ControlPath=none"), "\(none)")
        #expect(!none.contains { $0.hasPrefix("ControlPersist") })
        // Once the repo exists, its runtime folder.
        try FileManager.default.createDirectory(atPath: state + "/.git", withIntermediateDirectories: true)
        #expect(SSHControlDirectory.choose(node: n, runtimeDir: runtime, environment: xdg) == runtime + "/ssh")
        // The inventory's control_dir wins.
        #expect(
            SSHControlDirectory.choose(node: node(port: 22, controlDir: "/cm"), runtimeDir: runtime, environment: xdg)
                == "/cm")
    }

    @Test func aStatePathTooLongForASocketFallsBack() throws {
        let deep = try Fixtures.tempDir("st").path
        defer { try? FileManager.default.removeItem(atPath: deep) }
        let state = deep + "/" + String(repeating: "d", count: 60)
        try FileManager.default.createDirectory(atPath: state + "/.git", withIntermediateDirectories: true)
        let runtime = RunStore.runtimeDir(ofRepoAt: state)
        let n = node(port: 22, controlDir: nil)
        #expect((runtime + "/ssh").utf8.count > SSHControlDirectory.maxDirectoryLength)
        #expect(
            SSHControlDirectory.choose(node: n, runtimeDir: runtime, environment: ["XDG_RUNTIME_DIR": "/run/user/0"])
                == "/run/user/0/bkfix-ssh")
        #expect(SSHControlDirectory.choose(node: n, runtimeDir: runtime, environment: [:]) == nil)
        // Every socket path that is used fits sun_path, the master's temporary name included.
        let socket = "/run/user/0/bkfix-ssh/" + SSHControlDirectory.socketName(for: n) + ".0123456789abcdef"
        #expect(socket.utf8.count <= 107)
        // An explicit control_dir that is too long is a clear error, not ssh's.
        let long = SSHTransport(node: node(port: 22, controlDir: runtime + "/ssh"), environment: [:])
        #expect(refusal(long)?.contains("would not fit a unix socket address") == true)
    }
}
