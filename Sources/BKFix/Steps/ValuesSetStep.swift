import Foundation

/// `values-set`: sets one scalar in a YAML values file with a byte-exact splice (creating the file if missing).
///
/// Args: `path` (dotted string or list of keys), `value`, and the file: `file` (absolute, or relative to the work
/// dir), or `release`, whose custom-values file in the work dir is edited (created when missing). `type` says how
/// the value is written: `string` quoted (`"86400000"`, so a chart cannot render it as 8.64e+07), `int`, `bool` and
/// `quantity` plain and checked; without it the scalar keeps the style of the one it replaces. With `resync: true`
/// (and `release`), a change of the file is followed by `helmfile sync` of the release; no change, no sync.
public enum ValuesSetStep: StepKind {
    public static let name = "values-set"
    public static let requiredKeys: Set<String> = ["path", "value"]
    public static let optionalKeys: Set<String> = ["file", "release", "type", "resync"]
    public static let types = ["string", "int", "bool", "quantity"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let path = try args.keyPath("path")
        let (value, quoting) = try typedValue(args)
        let resync = try args.bool("resync", default: false)
        let target = try file(args, in: context)
        if resync && target.release == nil {
            throw StepError.badArgument(step: name, key: "resync", reason: "a re-sync needs the release (release: ...)")
        }
        let hostPath = target.path
        let snapshot = try context.transport.read(hostPath)
        let before = try snapshot.map { try UTF8Text.decode($0.data, file: hostPath) }
        let after = try YAMLSplice.set(
            [YAMLSplice.Assignment(path, value, quoting: quoting)], in: before ?? "", file: hostPath)
        let dotted = path.joined(separator: ".")
        if before == after { return StepPlan(notes: ["\(hostPath): \(dotted) is already \(value)"]) }
        let old = before.flatMap {
            try? YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines($0)).maskedText, file: hostPath)
        }?
        .lazy.compactMap { $0.scalar(at: path) }.first
        let shown = quoting == .string ? "\"\(value)\"" : value
        let change = FileChange(
            host: context.transport.host, path: hostPath, before: snapshot?.data, after: Data(after.utf8),
            beforeMeta: snapshot?.meta, afterMeta: snapshot?.meta ?? target.newFileMeta,
            notes: ["\(dotted): \(old ?? "(unset)") → \(shown)"])
        var changes: [Change] = [.file(change)]
        if resync, let release = target.release, let workDir = target.workDir {
            changes.append(
                .command(
                    HelmfileStep.command(
                        file: release.helmfile, release: release.name, action: "sync", workDir: workDir.path,
                        context: context)))
        }
        return StepPlan(changes: changes)
    }

    /// The file to edit: given, or the release's custom-values file (with the release, for a re-sync).
    static func file(_ args: StepArgs, in context: PlanContext) throws -> (
        path: String, release: HelmRelease?, workDir: BlueKingWorkDir?, newFileMeta: FileMeta
    ) {
        let defaultMeta = FileMeta(mode: 0o644, uid: 0, gid: 0)
        guard let releaseName = try args.optionalString("release") else {
            guard let file = try args.optionalString("file") else {
                throw StepError.missingArgument(step: name, key: "file (or release)")
            }
            if file.hasPrefix("/") { return (file, nil, nil, defaultMeta) }
            guard let workDir = context.workDir else {
                throw StepError.cannotPlan(step: name, reason: "\(file) is relative but no --install-dir was given")
            }
            return ((workDir as NSString).appendingPathComponent(file), nil, nil, defaultMeta)
        }
        guard let installDir = context.installDir else {
            throw StepError.cannotPlan(step: name, reason: "the BlueKing install dir is unknown; pass --install-dir")
        }
        let workDir = try BlueKingWorkDir.locate(installDir: installDir, transport: context.control)
        let release = try workDir.release(named: releaseName)
        let relative: String
        if let given = try args.optionalString("file") {
            relative = given
        } else if let custom = release.customValuesFile {
            relative = custom
        } else {
            throw WorkDirError.noCustomValuesFile(release: release.name, helmfile: release.helmfile)
        }
        // A new custom-values file gets the owner of the release's other values files.
        let owner = try release.valuesFiles.lazy.compactMap { try context.control.read(workDir.hostPath($0))?.meta }
            .first
        let meta = FileMeta(mode: 0o644, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0)
        return (workDir.hostPath(relative), release, workDir, meta)
    }

    /// The value and how it must be written, checked against `type`.
    static func typedValue(_ args: StepArgs) throws -> (String, YAMLSplice.Assignment.Quoting) {
        let value = try args.string("value")
        guard let type = try args.optionalString("type") else { return (value, .keep) }
        let bad = { (reason: String) in StepError.badArgument(step: name, key: "value", reason: reason) }
        switch type {
        case "string": return (value, .string)
        case "int":
            guard Int64(value) != nil else { throw bad("\(value) is not a whole number (type int)") }
            return (value, .plain)
        case "bool":
            switch value.lowercased() {
            case "true", "yes": return ("true", .plain)
            case "false", "no": return ("false", .plain)
            default: throw bad("\(value) is not true or false (type bool)")
            }
        case "quantity":
            do {
                _ = try Quantity(parsing: value)
            } catch let error as QuantityError {
                throw bad("\(error.localizedDescription) (type quantity)")
            }
            return (value, .plain)
        default:
            throw StepError.badArgument(
                step: name, key: "type", reason: "expected one of \(types.joined(separator: ", ")), got \(type)")
        }
    }
}
