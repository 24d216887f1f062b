import Foundation

/// Verify `values-file`: a values file (or a release's custom-values file) holds `value` at `path`.
///
/// Args: as `values-set` (`path`, `value`, `file` or `release`, `type`).
public enum ValuesFileCheck: VerifyKind {
    public static let name = "values-file"
    public static let requiredKeys: Set<String> = ["path", "value"]
    public static let optionalKeys: Set<String> = ["file", "release", "type"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let path = try args.keyPath("path")
        let (value, _) = try ValuesSetStep.typedValue(args)
        let file = try ValuesSetStep.file(args, in: context).path
        let dotted = path.joined(separator: ".")
        func result(_ ok: Bool, _ detail: String) -> VerifyResult {
            VerifyResult(check: name, host: context.host, ok: ok, detail: detail)
        }
        guard let snapshot = try context.transport.read(file) else { return result(false, "\(file) does not exist") }
        let text = try UTF8Text.decode(snapshot.data, file: file)
        let found = try YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines(text)).maskedText, file: file)
            .lazy.compactMap { $0.scalar(at: path) }.first
        return found == value
            ? result(true, "\(file): \(dotted) is \(value)")
            : result(false, "\(file): \(dotted) is \(found ?? "(unset)"), expected \(value)")
    }
}
