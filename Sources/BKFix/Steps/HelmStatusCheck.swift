import Foundation

/// Verify `helm-status`: `helm status -o json` of a release says `expect` (default `deployed`).
///
/// Args: `release`, `namespace` (default: the work dir's, else `blueking`), `expect`, `context`.
public enum HelmStatusCheck: VerifyKind {
    public static let name = "helm-status"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["namespace", "expect", "context"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let release = try args.string("release")
        let expected = try args.optionalString("expect") ?? "deployed"
        let workDir = context.installDir.flatMap {
            try? BlueKingWorkDir.locate(installDir: $0, transport: context.control)
        }
        let namespace =
            try args.optionalString("namespace") ?? (try? workDir?.release(named: release))?.namespace
            ?? BlueKingWorkDir.defaultNamespace
        let host = ClusterPath.host(context: try ClusterContext.resolve(args, in: context))
        func result(_ ok: Bool, _ detail: String) -> VerifyResult {
            VerifyResult(check: name, host: host, ok: ok, detail: detail)
        }
        let path = ClusterPath.helmStatus(namespace: namespace, release: release).path
        guard let snapshot = try context.transport(for: host).read(path) else {
            return result(false, "helm does not know release \(release) in namespace \(namespace)")
        }
        let status = try CanonicalYAML.parse(String(decoding: snapshot.data, as: UTF8.self), what: "helm status")
        let found = status.value(at: ["info", "status"])?.string ?? "(none)"
        let revision = status["version"]?.int.map { " (revision \($0))" } ?? ""
        return found == expected
            ? result(true, "\(release) is \(found)\(revision)")
            : result(false, "\(release) is \(found)\(revision), expected \(expected)")
    }
}
