import Foundation

/// Knows the hosts bkfix can reach: `control` (this machine) and, later, nodes from an inventory.
public struct HostDirectory: Sendable {
    public var control: any Transport
    public var nodes: [String: any Transport]

    public init(control: any Transport, nodes: [String: any Transport] = [:]) {
        self.control = control
        self.nodes = nodes
    }

    /// Expands `control`, `nodes` and node names into host names, in order, without duplicates.
    public func expand(_ targets: [String]) throws -> [String] {
        var out: [String] = []
        for t in targets {
            let names: [String]
            switch t {
            case "control", "localhost": names = ["control"]
            case "nodes": names = nodes.keys.sorted()
            default:
                guard nodes[t] != nil else { throw PlaybookError.unknownTarget(t) }
                names = [t]
            }
            for n in names where !out.contains(n) { out.append(n) }
        }
        return out
    }

    public func transport(for host: String) throws -> any Transport {
        if host == "control" { return control }
        guard let t = nodes[host] else { throw PlaybookError.unknownTarget(host) }
        return t
    }
}
