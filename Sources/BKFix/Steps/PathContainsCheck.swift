import Foundation

/// Verify `path-contains`: a login shell's PATH, evaluated statically from the login files, contains `dir`.
public enum PathContainsCheck: VerifyKind {
    public static let name = "path-contains"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["dir", "home"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let dir = try args.optionalString("dir") ?? ProfilePathStep.defaultDir
        let home = try args.optionalString("home") ?? context.environment["HOME"] ?? "/root"
        let audit = try PathAudit.audit(
            dir: dir, home: home, environment: context.environment, transport: context.transport)
        if audit.inLoginShell {
            return VerifyResult(check: name, host: context.host, ok: true, detail: "login PATH contains \(dir)")
        }
        let culprit =
            audit.breakingAssignments.last.map {
                " (\($0.file):\($0.line): \($0.text.trimmingCharacters(in: .whitespaces)))"
            } ?? ""
        return VerifyResult(
            check: name, host: context.host, ok: false,
            detail: "login PATH lacks \(dir): \(audit.loginPath)\(culprit)")
    }
}
