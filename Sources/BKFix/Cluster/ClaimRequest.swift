import Foundation

/// A PersistentVolumeClaim with what matching it to a node's free space needs: its request, class, phase and release.
public struct ClaimRequest: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    public var storageClass: String?
    /// `spec.resources.requests.storage` as written (`50Gi`).
    public var request: String?
    public var labels: [String: String]

    public var isPending: Bool { phase == "Pending" }
    /// The request in bytes (nil when absent or unreadable).
    public var bytes: Double? {
        request.flatMap { try? Quantity(parsing: $0) }.map { NSDecimalNumber(decimal: $0.value).doubleValue }
    }

    /// Whether the claim belongs to the release: its `app.kubernetes.io/instance` label, else its name
    /// (`data-bk-mysql-mysql-0` for `bk-mysql`), as StatefulSet claims are named after their pods.
    public func belongs(to release: String) -> Bool {
        if let instance = labels["app.kubernetes.io/instance"] ?? labels["release"] { return instance == release }
        let words = name.split(separator: "-").map(String.init)
        let wanted = release.split(separator: "-").map(String.init)
        guard words.count >= wanted.count else { return false }
        return (0...(words.count - wanted.count)).contains { Array(words[$0..<($0 + wanted.count)]) == wanted }
    }

    public static let argv = ["kubectl", "get", "pvc", "-A", "-o", "json"]

    /// Every claim of the cluster, read on the control machine (read-only).
    public static func query(on transport: any Transport) throws -> [ClaimRequest] {
        let result = try transport.run(CommandSpec(argv: argv, timeout: 60), output: nil)
        guard result.succeeded else {
            throw KubectlError.failed(argv: argv, exitCode: result.exitCode, stderr: result.stderr)
        }
        return try parse(result.stdout)
    }

    public static func parse(_ json: String) throws -> [ClaimRequest] {
        struct List: Decodable { var items: [Item] }
        struct Item: Decodable {
            struct Meta: Decodable {
                var name: String
                var namespace: String?
                var labels: [String: String]?
            }
            struct Spec: Decodable {
                struct Resources: Decodable { var requests: [String: String]? }
                var storageClassName: String?
                var resources: Resources?
            }
            struct Status: Decodable { var phase: String? }
            var metadata: Meta
            var spec: Spec?
            var status: Status?
        }
        let list = try KubectlJSON.decode(List.self, json, argv: argv)
        return list.items.map {
            ClaimRequest(
                namespace: $0.metadata.namespace ?? "default", name: $0.metadata.name,
                phase: $0.status?.phase ?? "Pending", storageClass: $0.spec?.storageClassName,
                request: $0.spec?.resources?.requests?["storage"], labels: $0.metadata.labels ?? [:])
        }
    }

    /// `50.0 GiB`: bytes as an operator reads them.
    public static func gib(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }
}
