import Foundation
import Testing

@testable import BKFix

/// Without an inventory, nodes come from `kubectl get nodes -o json` (InternalIP, root, port 22), asked once.
@Suite struct KubectlNodeDiscoveryTests {
    static let nodesJSON = """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"metadata": {"name": "master-1"}, "status": {"addresses": [
            {"type": "InternalIP", "address": "10.0.0.10"}, {"type": "Hostname", "address": "master-1"}]}},
          {"metadata": {"name": "node-1"}, "status": {"addresses": [
            {"type": "Hostname", "address": "node-1"}, {"type": "InternalIP", "address": "10.0.0.11"}]}},
          {"metadata": {"name": "no-ip"}, "status": {"addresses": [{"type": "Hostname", "address": "no-ip"}]}}
        ]}
        """

    func control(_ answer: CommandResult? = nil) -> MemoryTransport {
        MemoryTransport { argv in
            if argv == ["kubectl", "get", "nodes", "-o", "json"] {
                return answer ?? HostTestSupport.ok(argv, Self.nodesJSON)
            }
            return HostTestSupport.fail(argv, 97, stderr: "unexpected \(argv)")
        }
    }

    @Test func nodesAreTheInternalIPsAsRootOnPort22() throws {
        let nodes = try KubectlNodeDiscovery.parse(Data(Self.nodesJSON.utf8))
        #expect(
            nodes == [
                InventoryNode(name: "master-1", address: "10.0.0.10"),
                InventoryNode(name: "node-1", address: "10.0.0.11"),
            ])
        #expect(nodes.allSatisfy { $0.user == "root" && $0.port == 22 })
    }

    @Test func theDirectoryDiscoversOnFirstNeedAndAsksKubectlOnce() throws {
        let t = control()
        let hosts = HostDirectory(control: t, discovery: KubectlNodeDiscovery(control: t, environment: [:]))
        #expect(try hosts.expand(["control"]) == ["control"])
        #expect(t.commands.isEmpty)
        #expect(try hosts.expand(["nodes"]) == ["master-1", "node-1"])
        #expect(try hosts.expand(["10.0.0.11"]) == ["node-1"])
        #expect(try hosts.transport(for: "master-1") is SSHTransport)
        #expect(t.commands.count == 1)
    }

    @Test func aFailingKubectlSaysToGiveAnInventory() {
        let t = control(HostTestSupport.fail(["kubectl"], 1, stderr: "The connection to the server was refused"))
        let hosts = HostDirectory(control: t, discovery: KubectlNodeDiscovery(control: t, environment: [:]))
        #expect(
            throws: InventoryError.discoveryFailed(
                reason: "kubectl get nodes: The connection to the server was refused")
        ) {
            try hosts.expand(["node-1"])
        }
        #expect(InventoryError.discoveryFailed(reason: "x").localizedDescription.contains("--inventory FILE"))
    }

    @Test func notANodeListIsRefused() {
        #expect(throws: InventoryError.discoveryFailed(reason: "kubectl get nodes -o json did not print a node list")) {
            try KubectlNodeDiscovery.parse(Data("No resources found".utf8))
        }
    }
}
