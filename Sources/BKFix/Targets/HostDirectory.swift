import Foundation
import Synchronization

/// Knows the hosts bkfix can reach: `control` (this machine) and the nodes of the inventory (over SSH).
public struct HostDirectory: Sendable {
    public var control: any Transport
    public var nodes: [String: any Transport]
    /// Each node's address, so a target may be given as the IP an error message shows (`dial tcp IP:10250`).
    public var addresses: [String: String]
    /// Why the nodes are not available (a broken inventory); raised only when a node is asked for.
    public var nodesUnavailable: InventoryError?
    /// Without an inventory: the cluster's nodes from kubectl, read on first need.
    public var discovery: KubectlNodeDiscovery?
    /// The state repo's runtime folder, where the SSH transports keep their control sockets (SSHControlDirectory).
    public var sshRuntimeDir: String?
    /// One transport per cluster pseudo-host (`cluster:<context>`), shared by planning, the applier and rollback,
    /// so a patch can be refused when the object changed since the plan was checked.
    private let clusters = ClusterTransports()

    public init(
        control: any Transport, nodes: [String: any Transport] = [:], addresses: [String: String] = [:],
        nodesUnavailable: InventoryError? = nil, discovery: KubectlNodeDiscovery? = nil, sshRuntimeDir: String? = nil
    ) {
        self.discovery = discovery
        self.sshRuntimeDir = sshRuntimeDir
        self.control = control
        self.nodes = nodes
        self.addresses = addresses
        self.nodesUnavailable = nodesUnavailable
    }

    /// The hosts of an inventory: one SSH transport per node.
    public init(
        control: any Transport, inventory: Inventory, environment: [String: String], sshRuntimeDir: String? = nil
    ) {
        var nodes: [String: any Transport] = [:]
        var addresses: [String: String] = [:]
        for node in inventory.nodes {
            nodes[node.name] = SSHTransport(node: node, environment: environment, runtimeDir: sshRuntimeDir)
            addresses[node.name] = node.address
        }
        self.init(control: control, nodes: nodes, addresses: addresses, sshRuntimeDir: sshRuntimeDir)
    }

    /// Expands `control`, `nodes`, node names and node addresses into host names, in order, without duplicates.
    public func expand(_ targets: [String]) throws -> [String] {
        var out: [String] = []
        for t in targets {
            let names: [String]
            switch t {
            case "control", "localhost": names = ["control"]
            case "nodes": names = try known().transports.keys.sorted()
            default: names = [try nodeName(t)]
            }
            for n in names where !out.contains(n) { out.append(n) }
        }
        return out
    }

    /// The node called `target`, or the one whose address it is.
    public func nodeName(_ target: String) throws -> String {
        if nodes[target] != nil { return target }
        let (nodes, addresses) = try known()
        if nodes[target] != nil { return target }
        if let match = addresses.keys.sorted().first(where: { addresses[$0] == target }) { return match }
        if IPAddress(target) != nil {
            if nodes.isEmpty { throw PlaybookError.unknownTarget(target) }
            throw InventoryError.unknownAddress(
                target, known: addresses.keys.sorted().map { "\($0)=\(addresses[$0]!)" })
        }
        throw unknown(target)
    }

    public func transport(for host: String) throws -> any Transport {
        if host == "control" { return control }
        if let context = ClusterPath.context(ofHost: host) {
            return clusters.transport(context: context, control: control)
        }
        if let t = nodes[host] { return t }
        if let t = try known().transports[host] { return t }
        throw unknown(host)
    }

    /// The node's transport when it batches (a node reached over SSH, see BatchingTransport); nil for the control
    /// machine, a cluster pseudo-host, or a host that cannot be resolved (its single calls raise that error).
    func batchingTransport(for host: String) -> (any BatchingTransport)? {
        guard host != "control" else { return nil }
        return (try? transport(for: host)) as? any BatchingTransport
    }

    /// The inventory's nodes, else the discovered ones; a broken inventory or a failed discovery is thrown here.
    private func known() throws -> (transports: [String: any Transport], addresses: [String: String]) {
        if let nodesUnavailable { throw nodesUnavailable }
        guard nodes.isEmpty, let discovery else { return (nodes, addresses) }
        var transports: [String: any Transport] = [:]
        var addresses: [String: String] = [:]
        for node in try discovery.nodes() {
            transports[node.name] = SSHTransport(
                node: node, environment: discovery.environment, runtimeDir: sshRuntimeDir)
            addresses[node.name] = node.address
        }
        return (transports, addresses)
    }

    private func unknown(_ name: String) -> Error {
        let names = (try? known().transports.keys.sorted()) ?? []
        return names.isEmpty ? PlaybookError.unknownTarget(name) : InventoryError.unknownNode(name, known: names)
    }
}

/// The cluster transports of one session, by context.
private final class ClusterTransports: Sendable {
    private let byContext = Mutex<[String: ClusterTransport]>([:])

    func transport(context: String, control: any Transport) -> ClusterTransport {
        byContext.withLock { all in
            if let existing = all[context] { return existing }
            let created = ClusterTransport(context: context, control: control)
            all[context] = created
            return created
        }
    }
}
