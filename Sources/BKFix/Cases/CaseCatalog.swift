import Foundation
import Yams

/// The known cases, loaded from `cases/*.yaml`, with every text rule compiled once.
public struct CaseCatalog: Sendable {
    public var cases: [CaseDefinition]

    public init(cases: [CaseDefinition]) {
        self.cases = cases
    }

    public func definition(_ id: String) -> CaseDefinition? { cases.first { $0.id == id } }

    /// Loads every `*.yaml` in `directory` (sorted by name); all problems of all files are reported together.
    public static func load(directory: URL) throws -> CaseCatalog {
        let files: [DefinitionFile]
        do {
            files = try DefinitionSearchPath.files(
                in: directory.path, origin: .given(option: "--cases"), required: true)
        } catch {
            throw CatalogError.unreadableDirectory(directory.path)
        }
        let (cases, errors) = parse(files: files)
        try CatalogError.throwing(errors)
        return CaseCatalog(cases: cases)
    }

    /// Parses the case files of one place (a folder, or the built-in ones): the cases that load, and every problem,
    /// an id defined twice in that place included (the first file keeps it).
    static func parse(files: [DefinitionFile]) -> (cases: [CaseDefinition], errors: [CatalogError]) {
        var cases: [CaseDefinition] = []
        var errors: [CatalogError] = []
        var seen: [String: String] = [:]
        for file in files {
            do {
                let text = try DefinitionSearchPath.text(of: file).mapError {
                    CatalogError.unreadableFile(file: file.location, problem: $0.reason)
                }.get()
                let definition = try parse(yaml: text, file: file.location)
                if let first = seen[definition.id] {
                    errors.append(.duplicateID(id: definition.id, files: [first, definition.source]))
                } else {
                    seen[definition.id] = definition.source
                    cases.append(definition)
                }
            } catch let error as CatalogError {
                errors.append(error)
            } catch {
                errors.append(.invalidYAML(file: file.location, line: 1, problem: error.localizedDescription))
            }
        }
        return (cases, errors)
    }

    /// Parses one case file; `file` is used only in messages.
    public static func parse(yaml: String, file: String) throws -> CaseDefinition {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw CatalogError.invalidYAML(file: file, line: yamlErrorLine(error), problem: "\(error)")
        }
        guard let root, root.mapping != nil else {
            throw CatalogError.invalidField(file: file, line: 1, field: "(top level)", problem: "must be a mapping")
        }
        let reader = NodeReader(file: file)
        let id = try reader.string(root, "id")
        guard id.range(of: #"^[a-z0-9][a-z0-9-]*$"#, options: .regularExpression) != nil else {
            throw CatalogError.invalidField(
                file: file, line: reader.line(root["id"]), field: "id", problem: "must be lowercase words joined by '-'"
            )
        }
        var rules: [TextRule] = []
        for ruleNode in try reader.sequence(root, "rules", required: false) {
            rules.append(try reader.rule(ruleNode))
        }
        var definition = CaseDefinition(
            id: id, title: try reader.localized(root, "title"), explanation: try reader.localized(root, "explanation"),
            nextStep: try reader.localized(root, "next"),
            playbooks: try reader.sequence(root, "playbooks", required: false).map {
                try reader.scalar($0, "playbooks")
            },
            clusterRules: try reader.sequence(root, "cluster", required: false).map {
                try reader.scalar($0, "cluster")
            },
            derive: root["derive"] == nil
                ? nil : try reader.sequence(root, "derive", required: true).map { try reader.scalar($0, "derive") },
            textRules: rules, source: file)
        definition.context = try reader.sequence(root, "context", required: false).map { node in
            let name = try reader.scalar(node, "context")
            guard contextParamNames.contains(name) else {
                throw CatalogError.invalidField(
                    file: file, line: reader.line(node), field: "context",
                    problem:
                        "names '\(name)'; the text can give only \(contextParamNames.sorted().joined(separator: ", "))")
            }
            return name
        }
        definition.explains = try reader.sequence(root, "explains", required: false).map {
            try reader.scalar($0, "explains")
        }
        return definition
    }

    private static func yamlErrorLine(_ error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }
}

/// Reads typed fields out of a YAML node, turning every shape problem into a `CatalogError` with its line.
private struct NodeReader {
    let file: String

    func line(_ node: Node?) -> Int { node?.mark?.line ?? 1 }

    func string(_ parent: Node, _ key: String) throws -> String {
        guard let node = parent[key] else {
            throw CatalogError.missingField(file: file, line: line(parent), field: key)
        }
        return try scalar(node, key)
    }

    func scalar(_ node: Node, _ field: String) throws -> String {
        guard let s = node.scalar?.string, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw CatalogError.invalidField(
                file: file, line: line(node), field: field, problem: "must be a non-empty text")
        }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func sequence(_ parent: Node, _ key: String, required: Bool) throws -> [Node] {
        guard let node = parent[key] else {
            if required { throw CatalogError.missingField(file: file, line: line(parent), field: key) }
            return []
        }
        guard let seq = node.sequence else {
            throw CatalogError.invalidField(file: file, line: line(node), field: key, problem: "must be a list")
        }
        return Array(seq)
    }

    func localized(_ parent: Node, _ key: String) throws -> Localized {
        guard let node = parent[key] else {
            throw CatalogError.missingField(file: file, line: line(parent), field: key)
        }
        guard node.mapping != nil else {
            throw CatalogError.invalidField(file: file, line: line(node), field: key, problem: "must have zh: and en:")
        }
        return Localized(zh: try string(node, "zh"), en: try string(node, "en"))
    }

    func rule(_ node: Node) throws -> TextRule {
        guard node.mapping != nil else {
            throw CatalogError.invalidField(
                file: file, line: line(node), field: "rules", problem: "items must be mappings")
        }
        let pattern = try string(node, "regex")
        let patternLine = line(node["regex"])
        var weight = 0.5
        if let w = node["weight"] {
            guard let value = w.float, value > 0, value < 1 else {
                throw CatalogError.invalidField(
                    file: file, line: line(w), field: "weight", problem: "must be a number between 0 and 1")
            }
            weight = value
        }
        var supporting = false
        if let s = node["supporting"] {
            guard let value = s.bool else {
                throw CatalogError.invalidField(
                    file: file, line: line(s), field: "supporting", problem: "must be true or false")
            }
            supporting = value
        }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw CatalogError.badRegex(
                file: file, line: patternLine, pattern: pattern, problem: error.localizedDescription)
        }
        var anyLiterals: [[UInt8]] = []
        if let given = node["literal"] {
            let items = given.sequence.map(Array.init) ?? [given]
            anyLiterals = try items.map { Array(try scalar($0, "literal").utf8) }
        }
        let names = Self.captureNames(in: pattern)
        for name in names where !derivableParamNames.contains(name) {
            throw CatalogError.unknownCapture(file: file, line: patternLine, name: name)
        }
        var fixed: [String: String] = [:]
        if let given = node["params"] {
            guard let mapping = given.mapping else {
                throw CatalogError.invalidField(
                    file: file, line: line(given), field: "params", problem: "must be a mapping of param: value")
            }
            for (key, value) in mapping {
                let name = try scalar(key, "params")
                guard derivableParamNames.contains(name) else {
                    throw CatalogError.unknownCapture(file: file, line: line(key), name: name)
                }
                fixed[name] = try scalar(value, "params")
            }
        }
        let decimal = try sequence(node, "decimal", required: false).map { try scalar($0, "decimal") }
        for name in decimal where !names.contains(name) {
            throw CatalogError.invalidField(
                file: file, line: line(node["decimal"]), field: "decimal",
                problem: "names '\(name)', which the regex does not capture")
        }
        var rule = TextRule(
            pattern: pattern, weight: weight, supporting: supporting, captureNames: names,
            requiredLiterals: RegexLiteral.required(in: pattern), anyLiterals: anyLiterals,
            location: "\(file):\(patternLine)", regex: regex)
        rule.fixedParams = fixed
        rule.decimalCaptures = decimal
        return rule
    }

    /// The `(?<name>...)` groups of a pattern; NSRegularExpression cannot list them itself.
    static func captureNames(in pattern: String) -> [String] {
        let finder = try! NSRegularExpression(pattern: #"(?<!\\)\(\?<([A-Za-z][A-Za-z0-9]*)>"#)
        let ns = pattern as NSString
        return finder.matches(in: pattern, range: NSRange(location: 0, length: ns.length)).map {
            ns.substring(with: $0.range(at: 1))
        }
    }
}
