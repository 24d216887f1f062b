import Foundation

/// `values-set`: sets one scalar in a YAML values file with a byte-exact splice (creating the file if missing).
///
/// Args: `file` (absolute, or relative to the work dir), `path` (dotted string or list of keys), `value`.
public enum ValuesSetStep: StepKind {
    public static let name = "values-set"
    public static let requiredKeys: Set<String> = ["file", "path", "value"]
    public static let optionalKeys: Set<String> = []

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.string("file")
        let path = try keyPath(args)
        let value = try args.string("value")
        let hostPath: String
        if file.hasPrefix("/") {
            hostPath = file
        } else if let workDir = context.workDir {
            hostPath = (workDir as NSString).appendingPathComponent(file)
        } else {
            throw StepError.cannotPlan(step: name, reason: "\(file) is relative but no --install-dir was given")
        }
        let snapshot = try context.transport.read(hostPath)
        let before = try snapshot.map { try UTF8Text.decode($0.data, file: hostPath) }
        let after = try YAMLSplice.set(path, to: value, in: before ?? "", file: hostPath)
        let dotted = path.joined(separator: ".")
        let old = before.flatMap {
            try? YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines($0)).maskedText, file: hostPath)
        }?
        .lazy.compactMap { $0.scalar(at: path) }.first
        let note = "\(dotted): \(old ?? "(unset)") → \(value)"
        if before == after { return StepPlan(notes: ["\(hostPath): \(dotted) is already \(value)"]) }
        let change = FileChange(
            host: context.transport.host, path: hostPath, before: snapshot?.data, after: Data(after.utf8),
            beforeMeta: snapshot?.meta, afterMeta: snapshot?.meta ?? FileMeta(mode: 0o644, uid: 0, gid: 0),
            notes: [note])
        return StepPlan(changes: [.file(change)], notes: [])
    }

    /// `path` as a list of keys, or a dotted string.
    static func keyPath(_ args: StepArgs) throws -> [String] {
        guard let raw = args.values["path"] else { throw StepError.missingArgument(step: name, key: "path") }
        let keys: [String]
        switch raw {
        case .string(let dotted): keys = YAMLSplice.path(dotted)
        case .list: keys = try args.strings("path")
        case .map:
            throw StepError.badArgument(step: name, key: "path", reason: "expected a dotted path or a list of keys")
        }
        guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else {
            throw StepError.badArgument(step: name, key: "path", reason: "empty key in \(raw.display)")
        }
        return keys
    }
}
