import Foundation

/// Verify `pvc-bound`: every claim of the release is Bound (helmfile sync waits for the pods, so by then they are).
/// Without a release there is nothing to check.
public enum PVCBoundCheck: VerifyKind {
    public static let name = "pvc-bound"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["release"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        guard let release = try args.optionalString("release") else {
            return VerifyResult(check: name, host: context.control.host, ok: true, detail: "no release given")
        }
        let claims = try ClaimRequest.query(on: context.control).filter { $0.belongs(to: release) }
        let unbound = claims.filter { $0.phase != "Bound" }
        let ok = !claims.isEmpty && unbound.isEmpty
        let detail =
            claims.isEmpty
            ? "no claim of \(release)"
            : ok
                ? "\(claims.count) claim(s) of \(release) Bound"
                : unbound.map { "\($0.namespace)/\($0.name) \($0.phase)" }.joined(separator: "; ")
        return VerifyResult(check: name, host: context.control.host, ok: ok, detail: detail)
    }
}
