import Foundation
import Testing

@testable import BKFix

/// The inventory file: nodes with defaults, relative paths, and file:line errors; targets by name, `nodes` or IP.
@Suite struct InventoryTests {
    static let env = ["HOME": "/home/ops"]

    @Test func nodesGetDefaultsAndPathsResolveAgainstTheFileAndHome() throws {
        let text = """
            nodes:
              - {name: node-1, address: 10.0.0.11}
              - name: node-2
                address: 10.0.0.12
                user: ops
                port: 2222
                key: ~/.ssh/id_ed25519
                known_hosts: keys/known_hosts
                strict: false
                connect_timeout: 3
                root: /tmp/node2
                path: [/opt/bin, /usr/local/bin]
            """
        let inventory = try Inventory.parse(text, file: "/etc/bkfix/inventory.yaml", environment: Self.env)
        #expect(inventory.nodes.count == 2)
        #expect(inventory.nodes[0] == InventoryNode(name: "node-1", address: "10.0.0.11"))
        let n2 = inventory.nodes[1]
        #expect(n2.user == "ops")
        #expect(n2.port == 2222)
        #expect(n2.key == "/home/ops/.ssh/id_ed25519")
        #expect(n2.knownHosts == "/etc/bkfix/keys/known_hosts")
        #expect(n2.strictHostKeyChecking == false)
        #expect(n2.connectTimeout == 3)
        #expect(n2.root == "/tmp/node2")
        #expect(n2.path == ["/opt/bin", "/usr/local/bin"])
    }

    @Test(arguments: [
        ("nodes:\n  - {name: n1}\n", 2, "needs an 'address'"),
        ("nodes:\n  - name: n1\n    address: 1.2.3.4\n    port: 70000\n", 4, "port must be a number from 1 to 65535"),
        ("nodes:\n  - name: n1\n    address: 1.2.3.4\n    pot: 22\n", 4, "unknown node key 'pot'"),
        ("nodes:\n  - {name: n1, address: a}\n  - {name: n1, address: b}\n", 3, "listed twice"),
        ("nodes:\n  - {name: control, address: a}\n", 2, "cannot be a node name"),
        ("nodes:\n  - {name: n1, address: a, strict: maybe}\n", 2, "strict must be true or false"),
        ("nodes: {name: n1}\n", 1, "must be a list"),
        ("hosts: []\n", 1, "unknown key 'hosts'"),
        ("nodes:\n  - {name: n1, address: [a\n", 3, "YAML error"),
    ])
    func badInventoriesAreRefusedWithFileAndLine(text: String, line: Int, message: String) throws {
        #expect {
            try Inventory.parse(text, file: "inv.yaml", environment: Self.env)
        } throws: { error in
            guard case .invalid(let file, let l, let m) = error as? InventoryError else { return false }
            return file == "inv.yaml" && l == line && m.contains(message)
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: InventoryError.unreadable(file: "/nonexistent/inv.yaml", reason: "no such file")) {
            try Inventory.load("/nonexistent/inv.yaml", environment: [:])
        }
    }

    func directory() -> HostDirectory {
        let inventory = Inventory(
            file: "inv.yaml",
            nodes: [
                InventoryNode(name: "node-2", address: "10.0.0.12"),
                InventoryNode(name: "node-1", address: "10.0.0.11"),
            ])
        return HostDirectory(control: MemoryTransport(), inventory: inventory, environment: [:])
    }

    @Test func targetsExpandToNodesByNameByAddressAndAll() throws {
        let hosts = directory()
        #expect(try hosts.expand(["nodes"]) == ["node-1", "node-2"])
        #expect(try hosts.expand(["10.0.0.12"]) == ["node-2"])
        #expect(try hosts.expand(["control", "node-1", "10.0.0.11"]) == ["control", "node-1"])
        #expect(try hosts.transport(for: "node-1").host == "node-1")
        #expect(try hosts.transport(for: "node-1") is SSHTransport)
    }

    @Test func anIPThatIsNoNodesAddressIsRefused() {
        #expect(throws: InventoryError.unknownAddress("10.0.0.99", known: ["node-1=10.0.0.11", "node-2=10.0.0.12"])) {
            try directory().expand(["10.0.0.99"])
        }
        #expect(throws: InventoryError.unknownNode("node-9", known: ["node-1", "node-2"])) {
            try directory().expand(["node-9"])
        }
    }

    @Test func aBrokenInventoryIsReportedOnlyWhenANodeIsAskedFor() throws {
        let broken = InventoryError.invalid(file: "inv.yaml", line: 2, message: "x")
        let hosts = HostDirectory(control: MemoryTransport(), nodesUnavailable: broken)
        #expect(try hosts.expand(["control"]) == ["control"])
        #expect(throws: broken) { try hosts.expand(["nodes"]) }
        #expect(throws: broken) { try hosts.expand(["node-1"]) }
        #expect(throws: broken) { try hosts.transport(for: "node-1") }
    }

    @Test func theSessionReadsTheInventoryFromTheEnvironment() throws {
        let dir = try Fixtures.tempDir("bkfix-inv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("inventory.yaml").path
        try Data("nodes:\n  - {name: node-1, address: 10.0.0.11}\n".utf8).write(to: URL(fileURLWithPath: file))
        let session = Session(SessionOptions(language: .en, environment: ["BKFIX_INVENTORY": file, "HOME": dir.path]))
        #expect(session.hosts.addresses == ["node-1": "10.0.0.11"])
        let explicit = Session(SessionOptions(language: .en, environment: [:], inventory: dir.path + "/missing.yaml"))
        #expect(throws: InventoryError.unreadable(file: dir.path + "/missing.yaml", reason: "no such file")) {
            try explicit.hosts.expand(["nodes"])
        }
    }
}
