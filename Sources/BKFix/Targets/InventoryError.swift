import Foundation

/// Why an inventory file cannot be used; names the file and the line.
public enum InventoryError: LocalizedError, Equatable {
    case unreadable(file: String, reason: String)
    case invalid(file: String, line: Int, message: String)
    /// A target given as an IP that no inventory node has as its address.
    case unknownAddress(String, known: [String])
    /// A target name that is not `control`, `nodes` or a node of the inventory.
    case unknownNode(String, known: [String])
    /// No inventory was given and the nodes could not be read from the cluster.
    case discoveryFailed(reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read the inventory \(file): \(reason)"
        case .invalid(let file, let line, let message):
            return "\(file):\(line): \(message)"
        case .unknownAddress(let address, let known):
            let list = known.isEmpty ? "the inventory has no nodes" : "known: \(known.joined(separator: ", "))"
            return "\(address) is not the address of any node in the inventory (\(list)); add it to the inventory"
        case .discoveryFailed(let reason):
            return "no inventory given (--inventory FILE or $BKFIX_INVENTORY) and the nodes could not be read from "
                + "the cluster: \(reason)"
        case .unknownNode(let name, let known):
            return
                "unknown target host '\(name)': not control, nodes, or a node of the inventory (nodes: \(known.joined(separator: ", ")))"
        }
    }
}

extension InventoryError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreadable, .invalid, .unknownAddress, .unknownNode, .discoveryFailed: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreadable, .invalid, .unknownAddress, .unknownNode, .discoveryFailed: return "bad-inventory"
        }
    }
}
