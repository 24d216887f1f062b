import Foundation

/// Verify `helm-version`: `helm version --short` (or `binary`) is at least `min` (default 3.12.0).
public enum HelmVersionCheck: VerifyKind {
    public static let name = "helm-version"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["min", "binary"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let minimum = try HelmVersion(parsing: try args.optionalString("min") ?? HelmUpgradeStep.defaultMinimum)
        let binary = try args.optionalString("binary") ?? "helm"
        let current: HelmVersion?
        do {
            current = try HelmUpgradeStep.version(of: [binary, "version", "--short"], in: context)
        } catch {
            return VerifyResult(check: name, host: context.host, ok: false, detail: error.localizedDescription)
        }
        guard let current else {
            return VerifyResult(check: name, host: context.host, ok: false, detail: "\(binary) is not installed")
        }
        return VerifyResult(
            check: name, host: context.host, ok: current >= minimum,
            detail: current >= minimum ? "helm \(current) ≥ \(minimum)" : "helm \(current) is older than \(minimum)")
    }
}
