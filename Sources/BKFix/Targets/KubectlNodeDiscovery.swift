import Foundation
import Synchronization

/// Nodes when no inventory is given: `kubectl get nodes -o json` on the control machine, each node reached at its
/// InternalIP as root on port 22. Asked once, on first need (so commands that never touch a node never run kubectl).
public final class KubectlNodeDiscovery: Sendable {
    let control: any Transport
    let environment: [String: String]
    private let cache = Mutex<Result<[InventoryNode], InventoryError>?>(nil)

    public init(control: any Transport, environment: [String: String]) {
        self.control = control
        self.environment = environment
    }

    /// The cluster's nodes (cached); a failure says how to give an inventory instead.
    public func nodes() throws -> [InventoryNode] {
        if let cached = cache.withLock({ $0 }) { return try cached.get() }
        let result: Result<[InventoryNode], InventoryError>
        do {
            let answer = try control.run(
                CommandSpec(argv: ["kubectl", "get", "nodes", "-o", "json"], timeout: 30), output: nil)
            guard answer.succeeded else {
                let why = SSHTransport.lastLine(answer.stderr) ?? "exit status \(answer.exitCode)"
                throw InventoryError.discoveryFailed(reason: "kubectl get nodes: \(why)")
            }
            result = .success(try Self.parse(Data(answer.stdout.utf8)))
        } catch let error as InventoryError {
            result = .failure(error)
        } catch {
            result = .failure(.discoveryFailed(reason: error.localizedDescription))
        }
        cache.withLock { $0 = result }
        return try result.get()
    }

    /// Nodes from `kubectl get nodes -o json`: the name and the InternalIP of each (nodes without one are skipped).
    public static func parse(_ json: Data) throws -> [InventoryNode] {
        guard let doc = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
            let items = doc["items"] as? [[String: Any]]
        else { throw InventoryError.discoveryFailed(reason: "kubectl get nodes -o json did not print a node list") }
        return items.compactMap { item in
            guard let name = (item["metadata"] as? [String: Any])?["name"] as? String,
                let addresses = (item["status"] as? [String: Any])?["addresses"] as? [[String: Any]],
                let ip = addresses.first(where: { $0["type"] as? String == "InternalIP" })?["address"] as? String
            else { return nil }
            return InventoryNode(name: name, address: ip)
        }
    }
}
