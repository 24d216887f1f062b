import Foundation
import Yams

/// Reads a playbook file into a `Playbook`, collecting every problem with its file:line instead of stopping at the
/// first (the model is swift-format's DiagnosticsEngine).
public struct PlaybookLoader {
    private static let topLevelKeys: Set<String> = [
        "id", "cases", "title", "description", "confirm", "params", "steps", "verify", "revert-after",
    ]
    private static let paramKeys: Set<String> = ["type", "default", "required", "description", "values"]

    private var issues: [LintIssue] = []
    private let file: String

    private init(file: String) { self.file = file }

    /// Loads and validates; throws `PlaybookError.invalid` listing every issue.
    public static func load(path: String) throws -> Playbook {
        let (playbook, issues) = lint(path: path)
        if let playbook, issues.isEmpty { return playbook }
        throw PlaybookError.invalid(issues)
    }

    /// Every problem in the file (empty when valid), and the playbook when it could be built.
    public static func lint(path: String) -> (Playbook?, [LintIssue]) {
        lint(DefinitionFile(name: (path as NSString).lastPathComponent, location: path, origin: .given(option: "file")))
    }

    /// The same for a playbook file on disk or built into bkfix; problems name `file.location`.
    public static func lint(_ file: DefinitionFile) -> (Playbook?, [LintIssue]) {
        switch DefinitionSearchPath.text(of: file) {
        case .failure(let problem):
            return (nil, [LintIssue(file: file.location, line: 0, message: "cannot read playbook: \(problem.reason)")])
        case .success(let text):
            var loader = PlaybookLoader(file: file.location)
            let playbook = loader.parse(text)
            return (playbook, loader.issues)
        }
    }

    private mutating func issue(_ node: Node?, _ message: String) {
        issues.append(
            LintIssue(file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message))
    }

    private mutating func parse(_ text: String) -> Playbook? {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                issue(nil, "empty playbook")
                return nil
            }
            root = node
        } catch {
            issues.append(Self.yamlIssue(error, file: file))
            return nil
        }
        if let problem = YAMLNodeLimit.problem(root) {
            issue(root, problem)
            return nil
        }
        guard case .mapping(let top) = root else {
            issue(root, "a playbook is a mapping with id, title, params and steps")
            return nil
        }
        for (key, _) in top where !Self.topLevelKeys.contains(key.string ?? "") {
            issue(
                key,
                "unknown key '\(key.string ?? "?")' (allowed: \(Self.topLevelKeys.sorted().joined(separator: ", ")))")
        }
        let id = top["id"]?.string ?? ""
        if id.isEmpty { issue(root, "missing 'id'") }
        let expectedID = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if !id.isEmpty, id != expectedID {
            issue(top["id"], "id '\(id)' does not match the file name '\(expectedID)'")
        }
        let cases = stringList(top["cases"], what: "cases")
        let title = localized(top["title"], what: "title", required: true)
        let description = localized(top["description"], what: "description", required: false)
        let confirm = localized(top["confirm"], what: "confirm", required: false)
        let params = parseParams(top["params"])
        let names = Set(params.map(\.name)).union(Template.builtins)
        let steps = parseSteps(top["steps"], what: "steps", params: names, checks: false)
        let verify = parseSteps(top["verify"], what: "verify", params: names, checks: true)
        var revertAfter: String?
        if let node = top["revert-after"] {
            if let text = node.string, text == "offered" || TimeSpan(text) != nil {
                revertAfter = text
            } else {
                issue(node, "revert-after: expected a duration such as 2h or 30m, or 'offered'")
            }
        }
        if steps.isEmpty, top["steps"] != nil || issues.isEmpty {
            issue(top["steps"] ?? root, "a playbook needs at least one step")
        }
        return Playbook(
            id: id, cases: cases, title: title ?? Localized(zh: id, en: id), description: description, confirm: confirm,
            params: params,
            steps: steps, verify: verify, file: file, revertAfter: revertAfter)
    }

    static func yamlIssue(_ error: Error, file: String) -> LintIssue {
        if let y = error as? YamlError {
            switch y {
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let ctx = context.map { " (\($0.text))" } ?? ""
                return LintIssue(
                    file: file, line: mark.line, column: mark.column, message: "YAML error: \(problem)\(ctx)")
            case .reader(let problem, _, _, _):
                return LintIssue(file: file, line: 1, message: "YAML error: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                return LintIssue(
                    file: file, line: context.mark.line, column: context.mark.column,
                    message: "duplicate key(s) \(duplicates.joined(separator: ", "))")
            default:
                return LintIssue(file: file, line: 1, message: "YAML error: \(y)")
            }
        }
        return LintIssue(file: file, line: 1, message: "YAML error: \(error)")
    }

    private mutating func stringList(_ node: Node?, what: String) -> [String] {
        guard let node else { return [] }
        switch node {
        case .scalar(let s): return [s.string]
        case .sequence(let seq):
            return seq.compactMap { item in
                guard let s = item.string else {
                    issue(item, "\(what): expected a list of names")
                    return nil
                }
                return s
            }
        default:
            issue(node, "\(what): expected a list of names")
            return []
        }
    }

    private mutating func localized(_ node: Node?, what: String, required: Bool) -> Localized? {
        guard let node else {
            if required {
                issues.append(LintIssue(file: file, line: 1, message: "missing '\(what)' ({zh: ..., en: ...})"))
            }
            return nil
        }
        if let s = node.string { return Localized(zh: s, en: s) }
        guard case .mapping(let m) = node, let zh = m["zh"]?.string, let en = m["en"]?.string else {
            issue(node, "\(what): expected {zh: ..., en: ...} with both languages")
            return nil
        }
        return Localized(zh: zh, en: en)
    }

    private mutating func parseParams(_ node: Node?) -> [ParamSpec] {
        guard let node else { return [] }
        guard case .mapping(let m) = node else {
            issue(node, "params: expected a mapping of name → {type, default, ...}")
            return []
        }
        var out: [ParamSpec] = []
        for (key, value) in m {
            let name = key.string ?? "?"
            guard case .mapping(let pm) = value else {
                issue(value, "param \(name): expected {type: ..., default: ...}")
                continue
            }
            for (k, _) in pm where !Self.paramKeys.contains(k.string ?? "") {
                issue(k, "param \(name): unknown key '\(k.string ?? "?")'")
            }
            let typeName = pm["type"]?.string ?? "string"
            guard let type = ParamType(rawValue: typeName) else {
                issue(
                    pm["type"],
                    "param \(name): unknown type '\(typeName)' (types: \(ParamType.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                continue
            }
            let values = stringList(pm["values"], what: "param \(name) values")
            if type == .enum, values.isEmpty { issue(value, "param \(name): an enum needs 'values'") }
            var spec = ParamSpec(
                name: name, type: type, required: pm["required"]?.bool ?? false, defaultValue: nil,
                description: localized(pm["description"], what: "param \(name) description", required: false),
                values: values, line: key.mark?.line ?? 1)
            if let d = pm["default"] {
                let raw = Self.argValue(d)
                do {
                    spec.defaultValue = try ParamValidator.validate(raw, as: spec)
                } catch {
                    issue(d, "param \(name): default: \(error.localizedDescription)")
                }
            }
            out.append(spec)
        }
        return out
    }

    private mutating func parseSteps(_ node: Node?, what: String, params: Set<String>, checks: Bool) -> [StepSpec] {
        guard let node else { return [] }
        guard case .sequence(let seq) = node else {
            issue(node, "\(what): expected a list of steps")
            return []
        }
        var out: [StepSpec] = []
        for item in seq {
            guard case .mapping(let m) = item, m.count == 1, let (k, v) = m.first, let kind = k.string else {
                issue(item, "\(what): each entry is a one-key mapping, kind: {args}")
                continue
            }
            let (required, optional): (Set<String>, Set<String>)
            if checks {
                guard let c = StepRegistry.check(named: kind) else {
                    issue(
                        k,
                        "unknown verify check '\(kind)' (known: \(StepRegistry.checks.map { $0.name }.joined(separator: ", ")))"
                    )
                    continue
                }
                (required, optional) = (c.requiredKeys, c.optionalKeys)
            } else {
                guard let s = StepRegistry.step(named: kind) else {
                    issue(
                        k,
                        "unknown step kind '\(kind)' (known: \(StepRegistry.steps.map { $0.name }.joined(separator: ", ")))"
                    )
                    continue
                }
                (required, optional) = (s.requiredKeys, s.optionalKeys)
            }
            guard case .mapping(let argsNode) = v else {
                issue(v, "\(kind): arguments must be a mapping")
                continue
            }
            var args: [String: ArgValue] = [:]
            var on: ArgValue?
            for (ak, av) in argsNode {
                let key = ak.string ?? "?"
                let value = Self.argValue(av)
                for ref in Template.references(in: value) where !params.contains(ref) {
                    issue(av, "\(kind).\(key): unknown parameter {{\(ref)}}")
                }
                if key == "on" {
                    on = value
                } else if required.contains(key) || optional.contains(key) {
                    args[key] = value
                } else {
                    issue(
                        ak,
                        "\(kind): unknown argument '\(key)' (allowed: \(required.union(optional).union(["on"]).sorted().joined(separator: ", ")))"
                    )
                }
            }
            for key in required.sorted() where args[key] == nil {
                issue(k, "\(kind): missing argument '\(key)'")
            }
            out.append(StepSpec(kind: kind, args: args, on: on, line: k.mark?.line ?? 1))
        }
        return out
    }

    /// A YAML node as an `ArgValue` (scalars stay text; typing happens at use).
    static func argValue(_ node: Node) -> ArgValue {
        switch node {
        case .scalar(let s): return .string(s.string)
        case .sequence(let seq): return .list(seq.map(argValue))
        case .mapping(let m):
            var out: [String: ArgValue] = [:]
            for (k, v) in m { out[k.string ?? ""] = argValue(v) }
            return .map(out)
        case .alias: return .string("")
        }
    }
}
