import Foundation
import Yams

/// The meaning of a YAML document, stripped of layout: what the verify step compares before and after an edit.
indirect enum YAMLValueTree: Equatable, Sendable {
    struct Pair: Equatable, Sendable {
        var key: String
        var value: YAMLValueTree
    }

    case null
    case scalar(String)
    case mapping([Pair])
    case sequence([YAMLValueTree])

    init(_ node: Node) {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                self = .null
            } else {
                self = .scalar(scalar.string)
            }
        case .mapping(let mapping):
            self = .mapping(mapping.map { Pair(key: $0.key.string ?? "\($0.key)", value: YAMLValueTree($0.value)) })
        case .sequence(let sequence):
            self = .sequence(sequence.map { YAMLValueTree($0) })
        case .alias:
            self = .null
        }
    }

    /// Parses every document of a (template-masked) text; the error carries the failing line.
    static func documents(of text: String, file: String) throws -> [YAMLValueTree] {
        do {
            var sequence = try Yams.compose_all(yaml: text, .basic)
            var documents: [YAMLValueTree] = []
            while let node = sequence.next() {
                if let problem = YAMLNodeLimit.problem(node) {
                    throw YAMLSpliceError.notYAML(file: file, line: node.mark?.line ?? 1, reason: problem)
                }
                documents.append(YAMLValueTree(node))
            }
            if let error = sequence.error { throw error }
            return documents
        } catch let error as YamlError {
            throw YAMLSpliceError.notYAML(file: file, line: Self.line(of: error), reason: Self.problem(of: error))
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        case .duplicatedKeysInMapping(let keys, _): return "duplicate keys \(keys.joined(separator: ", "))"
        // Not the default's description: it quotes the offending bytes (NULs, control characters) to the terminal.
        case .reader(let problem, _, _, _): return problem
        default: return "\(error)"
        }
    }

    /// The value at a key path, or nil when the path is absent or runs through a non-mapping.
    func value(at path: [String]) -> YAMLValueTree? {
        guard let first = path.first else { return self }
        guard case .mapping(let pairs) = self, let pair = pairs.last(where: { $0.key == first }) else { return nil }
        return pair.value.value(at: Array(path.dropFirst()))
    }

    /// The scalar at a key path.
    func scalar(at path: [String]) -> String? {
        if case .scalar(let s) = value(at: path) { return s }
        return nil
    }

    /// Keys of a mapping (empty otherwise).
    var keys: [String] {
        if case .mapping(let pairs) = self { return pairs.map(\.key) }
        return []
    }

    /// This tree with `path` set to a scalar, creating mappings on the way (as the editor does).
    func setting(_ path: [String], to value: String) -> YAMLValueTree {
        guard let first = path.first else { return .scalar(value) }
        var pairs: [Pair] = []
        if case .mapping(let existing) = self { pairs = existing }
        let rest = Array(path.dropFirst())
        if let index = pairs.lastIndex(where: { $0.key == first }) {
            pairs[index].value = pairs[index].value.setting(rest, to: value)
        } else {
            pairs.append(Pair(key: first, value: YAMLValueTree.null.setting(rest, to: value)))
        }
        return .mapping(pairs)
    }

    /// A short description of the first place two trees differ, for error messages.
    static func firstDifference(_ a: YAMLValueTree, _ b: YAMLValueTree, path: String = "") -> String? {
        switch (a, b) {
        case (.mapping(let x), .mapping(let y)):
            for (p, q) in zip(x, y) {
                if p.key != q.key { return "\(path.isEmpty ? "" : path + ".")\(p.key) vs \(q.key)" }
                let sub = path.isEmpty ? p.key : path + "." + p.key
                if let d = firstDifference(p.value, q.value, path: sub) { return d }
            }
            return x.count == y.count ? nil : "\(path.isEmpty ? "top level" : path): key count \(x.count) vs \(y.count)"
        default:
            return a == b ? nil : (path.isEmpty ? "top level" : path)
        }
    }
}

extension YAMLValueTree {
    /// Helm-style deep merge: mappings merge key by key, anything else in `other` wins.
    func merging(_ other: YAMLValueTree) -> YAMLValueTree {
        guard case .mapping(var pairs) = self, case .mapping(let overrides) = other else {
            return other == .null ? self : other
        }
        for pair in overrides {
            if let index = pairs.firstIndex(where: { $0.key == pair.key }) {
                pairs[index].value = pairs[index].value.merging(pair.value)
            } else {
                pairs.append(pair)
            }
        }
        return .mapping(pairs)
    }
}
