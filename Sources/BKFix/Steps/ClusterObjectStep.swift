import Foundation

/// `cluster-object`: sets one field of a Kubernetes object (a ConfigMap's `data.allow-snippet-annotations`, say).
///
/// The object is a file on the cluster's pseudo-host (`cluster:<context>`, see `ClusterTransport`): read with
/// `kubectl get -o json` as YAML without the fields the server manages, planned as a diff of that YAML, applied
/// with `kubectl patch` carrying the resourceVersion, recorded under `cluster/<context>/<namespace>/<kind>/<name>.yaml`
/// in the state repo; rollback, drift and `status` treat it as any managed file.
///
/// Args: `kind`, `name`, `namespace`, `path` (dotted or a list of keys), `value`, `type` (`string` — the default —,
/// `int` or `bool`), `context` (default: kubectl's current context).
public enum ClusterObjectStep: StepKind {
    public static let name = "cluster-object"
    public static let requiredKeys: Set<String> = ["kind", "name", "namespace", "path", "value"]
    public static let optionalKeys: Set<String> = ["type", "context"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let field = try Field(args)
        let clusterContext = try ClusterContext.resolve(args, in: context)
        let host = ClusterPath.host(context: clusterContext)
        let label = "\(field.kind)/\(field.name) -n \(field.namespace)"
        guard let snapshot = try context.transport(for: host).read(field.objectPath.path) else {
            throw StepError.cannotPlan(
                step: name, reason: "\(label) does not exist on context \(clusterContext)")
        }
        let before = try CanonicalYAML.parse(String(decoding: snapshot.data, as: UTF8.self), what: label)
        let dotted = field.path.joined(separator: ".")
        let old = before.value(at: field.path)
        if old == field.value {
            return StepPlan(notes: ["\(label): \(dotted) is already \(CanonicalYAML.scalarText(field.valueText))"])
        }
        let after = before.setting(field.path, to: field.value)
        let change = FileChange(
            host: host, path: field.objectPath.path, before: snapshot.data,
            after: Data(CanonicalYAML.render(after).utf8), beforeMeta: ClusterTransport.meta,
            afterMeta: ClusterTransport.meta,
            notes: ["\(label): \(dotted): \(old.map(describe) ?? "(unset)") → \(describe(field.value))"])
        return StepPlan(changes: [.file(change)])
    }

    static func describe(_ value: KubeValue) -> String {
        CanonicalYAML.render(value).trimmingCharacters(in: .newlines)
    }

    /// The object and field a `cluster-object` step or `cluster-field` check names, with the typed value.
    struct Field {
        var kind: String
        var name: String
        var namespace: String
        var path: [String]
        var valueText: String
        var value: KubeValue

        var objectPath: ClusterPath { .object(namespace: namespace, kind: kind, name: name) }

        /// Fields bkfix must not set: what the server manages, and what names the object.
        static let forbidden: [[String]] =
            [["status"], ["metadata", "name"], ["metadata", "namespace"], ["kind"], ["apiVersion"]]
            + ClusterTransport.serverManagedMetadata.sorted().map { ["metadata", $0] }

        init(_ args: StepArgs) throws {
            kind = try args.string("kind").lowercased()
            name = try args.string("name")
            namespace = try args.string("namespace")
            for (key, text) in [("kind", kind), ("name", name), ("namespace", namespace)]
            where !ClusterPath.isName(text) {
                throw StepError.badArgument(step: args.kind, key: key, reason: "\(text) is not a Kubernetes name")
            }
            if kind == "secret" || kind == "secrets" { throw ClusterTransportError.secretRefused(kind: kind) }
            let keys = try args.keyPath("path")
            path = keys
            if let bad = Self.forbidden.first(where: { keys.starts(with: $0) }) {
                throw StepError.badArgument(
                    step: args.kind, key: "path",
                    reason: "\(bad.joined(separator: ".")) is managed by the API server or names the object")
            }
            let text = try args.string("value")
            valueText = text
            switch try args.optionalString("type") ?? "string" {
            case "string": value = .string(text)
            case "int":
                guard let n = Int64(text) else {
                    throw StepError.badArgument(step: args.kind, key: "value", reason: "\(text) is not a whole number")
                }
                value = .int(n)
            case "bool":
                guard let b = ["true": true, "false": false][text.lowercased()] else {
                    throw StepError.badArgument(step: args.kind, key: "value", reason: "\(text) is not true or false")
                }
                value = .bool(b)
            case let other:
                throw StepError.badArgument(
                    step: args.kind, key: "type", reason: "expected string, int or bool, got \(other)")
            }
        }
    }
}
