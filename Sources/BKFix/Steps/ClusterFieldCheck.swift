import Foundation

/// Verify `cluster-field`: a field of a live Kubernetes object holds the value (same arguments as `cluster-object`).
public enum ClusterFieldCheck: VerifyKind {
    public static let name = "cluster-field"
    public static let requiredKeys = ClusterObjectStep.requiredKeys
    public static let optionalKeys = ClusterObjectStep.optionalKeys

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let field = try ClusterObjectStep.Field(args)
        let clusterContext = try ClusterContext.resolve(args, in: context)
        let host = ClusterPath.host(context: clusterContext)
        let label = "\(field.kind)/\(field.name) -n \(field.namespace)"
        let dotted = field.path.joined(separator: ".")
        func result(_ ok: Bool, _ detail: String) -> VerifyResult {
            VerifyResult(check: name, host: host, ok: ok, detail: detail)
        }
        guard let snapshot = try context.transport(for: host).read(field.objectPath.path) else {
            return result(false, "\(label) does not exist")
        }
        let live = try CanonicalYAML.parse(String(decoding: snapshot.data, as: UTF8.self), what: label)
        let found = live.value(at: field.path)
        let shown = found.map(ClusterObjectStep.describe) ?? "(unset)"
        return found == field.value
            ? result(true, "\(label): \(dotted) is \(shown)")
            : result(false, "\(label): \(dotted) is \(shown), expected \(ClusterObjectStep.describe(field.value))")
    }
}
