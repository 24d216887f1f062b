import Foundation

/// The paths to read on each node, grouped so that each node is read in one round trip: the (host, path) pairs whose
/// host is a node with a batching transport, per node in first-seen order, each path once. Pairs on the control
/// machine or on any other host are left to single reads.
struct NodeReads {
    struct Node {
        var host: String
        var transport: any BatchingTransport
        var paths: [String]
    }

    private(set) var nodes: [Node] = []

    init(_ pairs: [(host: String, path: String)], hosts: HostDirectory) {
        var skipped: Set<String> = []
        for (host, path) in pairs where host != "control" && !skipped.contains(host) {
            if let k = nodes.firstIndex(where: { $0.host == host }) {
                if !nodes[k].paths.contains(path) { nodes[k].paths.append(path) }
                continue
            }
            guard let t = hosts.batchingTransport(for: host) else {
                skipped.insert(host)
                continue
            }
            nodes.append(Node(host: host, transport: t, paths: [path]))
        }
    }

    /// Kind and content of every path, one round trip per node, the nodes `width` at a time; a node whose round trip
    /// failed is left out (its single reads meet the same error in their turn).
    func inspect(width: Int) -> [String: [String: PathInspection]] {
        var out: [String: [String: PathInspection]] = [:]
        for (node, answer) in zip(nodes, inspections(width: width, .sliding)) {
            if case .success(let answer)? = answer { out[node.host] = answer }
        }
        return out
    }

    /// Each node's round trip, in `nodes` order; nil for a node that did not start (`windows`: after a window in
    /// which a round trip failed).
    func inspections(width: Int, _ order: HostPool.Order) -> [Result<[String: PathInspection], any Error>?] {
        let nodes = self.nodes
        return HostPool(width: width).map(nodes.count, order, stop: HostPool.failed) { i in
            Result { try nodes[i].transport.inspect(nodes[i].paths) }
        }
    }
}
