import Foundation

/// A pod as `kubectl get pod -o json` reports it, with what deciding to delete it needs: its controller (a pod
/// without one is not recreated), its containers' readiness and waiting reasons.
public struct ControlledPod: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var phase: String
    /// `ReplicaSet/bk-repo-gateway-6c8b9f7d5`, `DaemonSet/...`; nil for a bare pod.
    public var controller: String?
    public var ready: Bool
    public var restarts: Int
    /// The first container waiting reason (`CrashLoopBackOff` ...).
    public var waitingReason: String?
    /// Set while the pod is being deleted.
    public var terminating: Bool

    public var isCrashLooping: Bool { waitingReason == "CrashLoopBackOff" }

    /// The read-only query: the pods matching `selector` in `namespace` (every namespace when nil).
    public static func queryArgv(namespace: String?, selector: String) -> [String] {
        ["kubectl", "get", "pod"] + (namespace.map { ["-n", $0] } ?? ["-A"]) + ["-l", selector, "-o", "json"]
    }

    /// Parses a pod list in kubectl's JSON.
    public static func parse(_ json: String, argv: [String]) throws -> [ControlledPod] {
        struct List: Decodable { var items: [Item] }
        struct Item: Decodable {
            struct Owner: Decodable {
                var kind: String
                var name: String
                var controller: Bool?
            }
            struct Meta: Decodable {
                var name: String
                var namespace: String?
                var ownerReferences: [Owner]?
                var deletionTimestamp: String?
            }
            struct State: Decodable { var waiting: Waiting? }
            struct Waiting: Decodable { var reason: String? }
            struct ContainerStatus: Decodable {
                var ready: Bool?
                var restartCount: Int?
                var state: State?
            }
            struct Status: Decodable {
                var phase: String?
                var containerStatuses: [ContainerStatus]?
            }
            var metadata: Meta
            var status: Status?
        }
        let list = try KubectlJSON.decode(List.self, json, argv: argv)
        return list.items.map { item in
            let owner =
                item.metadata.ownerReferences?.first { $0.controller == true } ?? item.metadata.ownerReferences?.first
            let statuses = item.status?.containerStatuses ?? []
            return ControlledPod(
                namespace: item.metadata.namespace ?? "default", name: item.metadata.name,
                phase: item.status?.phase ?? "Unknown", controller: owner.map { "\($0.kind)/\($0.name)" },
                ready: !statuses.isEmpty && statuses.allSatisfy { $0.ready == true },
                restarts: statuses.map { $0.restartCount ?? 0 }.reduce(0, +),
                waitingReason: statuses.lazy.compactMap { $0.state?.waiting?.reason }.first,
                terminating: item.metadata.deletionTimestamp != nil)
        }
    }

    /// Runs the query on the control machine.
    public static func query(namespace: String?, selector: String, on transport: any Transport) throws
        -> [ControlledPod]
    {
        let argv = queryArgv(namespace: namespace, selector: selector)
        let result = try transport.run(CommandSpec(argv: argv, timeout: 60), output: nil)
        guard result.succeeded else {
            throw KubectlError.failed(argv: argv, exitCode: result.exitCode, stderr: result.stderr)
        }
        return try parse(result.stdout, argv: argv)
    }

    /// `app.kubernetes.io/instance=RELEASE`, narrowed by an extra selector when given.
    public static func selector(release: String, extra: String?) -> String {
        ["app.kubernetes.io/instance=\(release)", extra].compactMap { $0 }.filter { !$0.isEmpty }
            .joined(separator: ",")
    }
}
