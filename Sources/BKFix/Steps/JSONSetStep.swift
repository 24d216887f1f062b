import Foundation

/// `json-set`: set one top-level key of a JSON object file (e.g. `registry-mirrors` in `/etc/docker/daemon.json`),
/// keeping every other byte; creates the file (mode 0644) when missing; refuses invalid JSON with line and column.
public enum JSONSetStep: StepKind {
    public static let name = "json-set"
    public static let requiredKeys: Set<String> = ["file", "key"]
    /// `value`: a scalar (a JSON string), a list (an array of strings) or a mapping; `json`: a JSON literal instead.
    public static let optionalKeys: Set<String> = ["value", "json"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.string("file")
        let key = try args.string("key")
        let value = try jsonValue(args, key: key)
        guard let change = try change(file: file, key: key, value: value, in: context) else {
            return StepPlan(notes: [
                Localized(zh: "\(file) 中 \(key) 已是目标值", en: "\(key) in \(file) already has the wanted value")
                    .text(context.language)
            ])
        }
        return StepPlan(changes: [.file(change)])
    }

    /// The file change setting `key` to `value` in `file` on the context's host, or nil when already set.
    public static func change(file: String, key: String, value: Any, in context: PlanContext) throws -> FileChange? {
        let snapshot = try context.transport.read(file)
        guard let snapshot else {
            let data = try JSONSplice.newFile(key: key, value: value)
            return FileChange(
                host: context.host, path: file, before: nil, after: data, beforeMeta: nil,
                afterMeta: FileMeta(mode: 0o644, uid: 0, gid: 0),
                notes: [Localized(zh: "新建 \(file)", en: "create \(file)").text(context.language)])
        }
        let splice = try JSONSplice(file: file, data: snapshot.data)
        let after = try splice.setting(key, to: value)
        if after == snapshot.data { return nil }
        let existed = splice.keys.contains(key)
        let note =
            existed
            ? Localized(zh: "修改 \(key)", en: "set \(key)") : Localized(zh: "新增 \(key)", en: "add \(key)")
        return FileChange(
            host: context.host, path: file, before: snapshot.data, after: after, beforeMeta: snapshot.meta,
            afterMeta: snapshot.meta, notes: [note.text(context.language)])
    }

    /// The value to write: `json` parsed as a JSON literal, else `value` as strings.
    static func jsonValue(_ args: StepArgs, key: String) throws -> Any {
        if let literal = try args.optionalString("json") {
            do {
                return try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed)
            } catch {
                throw JSONSpliceError.badValue(key: key, reason: "cannot parse \(literal)")
            }
        }
        guard let value = args.values["value"] else { throw StepError.missingArgument(step: name, key: "value") }
        return plain(value)
    }

    private static func plain(_ value: ArgValue) -> Any {
        switch value {
        case .string(let s): return s
        case .list(let l): return l.map(plain)
        case .map(let m): return m.mapValues(plain)
        }
    }
}
