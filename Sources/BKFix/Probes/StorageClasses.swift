import Foundation

/// Why cluster JSON could not be read.
public enum ClusterJSONError: LocalizedError, Equatable {
    case unreadable(command: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let command, let reason): return "cannot read the output of `\(command)`: \(reason)"
        }
    }
}

/// StorageClasses from `kubectl get sc -o json`, and which one is the default.
public struct StorageClasses: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var provisioner: String
        public var isDefault: Bool
    }

    public var entries: [Entry]

    public var defaultClass: Entry? { entries.first(where: \.isDefault) }

    public static let command = ["kubectl", "get", "sc", "-o", "json"]
    public static let pvCommand = ["kubectl", "get", "pv", "-o", "json"]

    /// Parses a `List` of StorageClass objects; the default is marked by the (beta) `is-default-class` annotation.
    public init(json: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ClusterJSONError.unreadable(
                command: StorageClasses.command.joined(separator: " "), reason: "not a JSON object")
        }
        let items = object["items"] as? [[String: Any]] ?? []
        entries = items.map { item in
            let metadata = item["metadata"] as? [String: Any] ?? [:]
            let annotations = metadata["annotations"] as? [String: Any] ?? [:]
            let flag = [
                "storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class",
            ].contains { (annotations[$0] as? String)?.lowercased() == "true" }
            return Entry(
                name: metadata["name"] as? String ?? "?", provisioner: item["provisioner"] as? String ?? "",
                isDefault: flag)
        }
    }

    /// Names of the PersistentVolumes in `kubectl get pv -o json` output.
    public static func persistentVolumeNames(json: String) throws -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw ClusterJSONError.unreadable(command: pvCommand.joined(separator: " "), reason: "not a JSON object")
        }
        return (object["items"] as? [[String: Any]] ?? []).compactMap {
            ($0["metadata"] as? [String: Any])?["name"] as? String
        }
    }
}

extension ClusterJSONError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreadable: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreadable: return "cluster"
        }
    }
}
