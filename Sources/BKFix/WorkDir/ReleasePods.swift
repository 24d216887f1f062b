import Foundation

/// The live pods of a release, as `kubectl get pod -o json` reports them: enough to see limits and failures.
public struct ReleasePod: Sendable, Equatable {
    public struct Container: Sendable, Equatable {
        public var name: String
        public var cpu: String?
        public var memory: String?
    }

    public var name: String
    /// The `app.kubernetes.io/component` label.
    public var component: String?
    public var phase: String
    public var ready: Bool
    public var restarts: Int
    public var containers: [Container]

    /// BlueKing's quota symptom: Running, not ready, restarted more than 3 times.
    public var looksStarved: Bool { phase == "Running" && !ready && restarts > 3 }

    /// The read-only kubectl query for a release's pods.
    public static func queryArgv(release: String, namespace: String) -> [String] {
        ["kubectl", "get", "pod", "-n", namespace, "-l", "app.kubernetes.io/instance=\(release)", "-o", "json"]
    }

    /// Runs the query on the control machine; throws `ReleasePodsError` when kubectl fails or answers nonsense.
    public static func query(release: String, namespace: String, in context: PlanContext) throws -> [ReleasePod] {
        let argv = queryArgv(release: release, namespace: namespace)
        let result = try context.query(argv)
        guard result.succeeded else {
            throw ReleasePodsError.kubectlFailed(
                argv: argv, exitCode: result.exitCode,
                stderr: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try parse(result.stdout)
    }

    /// Parses a pod list (or a single pod) in kubectl's JSON.
    public static func parse(_ json: String) throws -> [ReleasePod] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ReleasePodsError.badJSON
        }
        let items = (object["items"] as? [[String: Any]]) ?? (object["kind"] as? String == "Pod" ? [object] : [])
        return items.map { item in
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let labels = metadata["labels"] as? [String: String] ?? [:]
            let spec = item["spec"] as? [String: Any] ?? [:]
            let status = item["status"] as? [String: Any] ?? [:]
            let statuses = status["containerStatuses"] as? [[String: Any]] ?? []
            let containers = (spec["containers"] as? [[String: Any]] ?? []).map { container -> Container in
                let limits = (container["resources"] as? [String: Any])?["limits"] as? [String: Any] ?? [:]
                return Container(
                    name: container["name"] as? String ?? "", cpu: Self.text(limits["cpu"]),
                    memory: Self.text(limits["memory"]))
            }
            return ReleasePod(
                name: metadata["name"] as? String ?? "", component: labels["app.kubernetes.io/component"],
                phase: status["phase"] as? String ?? "",
                ready: !statuses.isEmpty && statuses.allSatisfy { $0["ready"] as? Bool == true },
                restarts: statuses.map { $0["restartCount"] as? Int ?? 0 }.max() ?? 0, containers: containers)
        }
    }

    private static func text(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        return nil
    }
}

/// Why the live pods could not be read.
public enum ReleasePodsError: LocalizedError, Equatable {
    case kubectlFailed(argv: [String], exitCode: Int32, stderr: String)
    case badJSON

    public var errorDescription: String? {
        switch self {
        case .kubectlFailed(let argv, let code, let stderr):
            return "\(argv.joined(separator: " ")) failed (exit \(code)): \(stderr)"
        case .badJSON:
            return "kubectl get pod -o json did not return a pod list"
        }
    }
}

extension ReleasePodsError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .kubectlFailed, .badJSON: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .kubectlFailed, .badJSON: return "kubectl"
        }
    }
}
