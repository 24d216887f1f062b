import Foundation

/// Verify `default-storageclass`: `kubectl get sc -o json` shows a default StorageClass (named `name`, if given).
public enum DefaultStorageClassCheck: VerifyKind {
    public static let name = "default-storageclass"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["name"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let wanted = try args.optionalString("name")
        let result = try context.query(StorageClasses.command)
        guard result.succeeded else {
            return VerifyResult(
                check: name, host: context.control.host, ok: false,
                detail: "kubectl get sc failed (exit \(result.exitCode)): "
                    + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let classes = try StorageClasses(json: result.stdout)
        guard let found = classes.defaultClass else {
            let names = classes.entries.map(\.name)
            return VerifyResult(
                check: name, host: context.control.host, ok: false,
                detail: "no default StorageClass (classes: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
        }
        if let wanted, found.name != wanted {
            return VerifyResult(
                check: name, host: context.control.host, ok: false,
                detail: "the default StorageClass is \(found.name), expected \(wanted)")
        }
        return VerifyResult(
            check: name, host: context.control.host, ok: true, detail: "default StorageClass \(found.name)")
    }
}
