import Foundation
import Yams

/// The YAML bkfix records a cluster object or a helm answer as: keys sorted, two-space block style, one way to
/// write each value, so the same object always gives the same bytes (pins and drift compare them) and a change is a
/// small readable diff. Reading it back gives the same `KubeValue`.
public enum CanonicalYAML {
    /// The canonical text of a value (a document ending in a newline).
    public static func render(_ value: KubeValue) -> String {
        var out = ""
        switch value {
        case .object(let members) where !members.isEmpty: block(members, indent: 0, into: &out)
        case .array(let items) where !items.isEmpty: sequence(items, indent: 0, into: &out)
        default: out = inline(value) + "\n"
        }
        return out
    }

    /// Reads canonical YAML back (`what` names it in errors).
    public static func parse(_ text: String, what: String) throws -> KubeValue {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            return try value(of: node, what: what)
        } catch let error as KubeValueError {
            throw error
        } catch {
            throw KubeValueError.notYAML(what: what, problem: "\(error)")
        }
    }

    private static func value(of node: Node, what: String) throws -> KubeValue {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return node.bool.map(KubeValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(KubeValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .array(try sequence.map { try value(of: $0, what: what) })
        case .mapping(let mapping):
            var members: [String: KubeValue] = [:]
            for (key, item) in mapping {
                guard let name = key.string else {
                    throw KubeValueError.notYAML(what: what, problem: "a key is not text")
                }
                members[name] = try value(of: item, what: what)
            }
            return .object(members)
        case .alias:
            throw KubeValueError.notYAML(what: what, problem: "it uses an alias")
        }
    }

    private static func block(_ members: [String: KubeValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for key in members.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            out += pad + scalarText(key) + ":"
            member(members[key]!, indent: indent, into: &out)
        }
    }

    private static func sequence(_ items: [KubeValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            out += pad + "-"
            switch item {
            case .object(let members) where !members.isEmpty:
                // `- key: value` with the other keys under it, two columns further in.
                var nested = ""
                block(members, indent: indent + 2, into: &nested)
                out += " " + nested.dropFirst(indent + 2)
            case .array(let inner) where !inner.isEmpty:
                out += "\n"
                sequence(inner, indent: indent + 2, into: &out)
            default:
                member(item, indent: indent, into: &out, afterDash: true)
            }
        }
    }

    /// The value of a `key:` (or `-`): nested blocks on the next lines, scalars on the same line.
    private static func member(_ value: KubeValue, indent: Int, into out: inout String, afterDash: Bool = false) {
        switch value {
        case .object(let members) where !members.isEmpty:
            out += "\n"
            block(members, indent: indent + 2, into: &out)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            sequence(items, indent: indent + (afterDash ? 2 : 0), into: &out)
        case .string(let s) where literalBlockFits(s):
            let body = s.hasSuffix("\n") ? String(s.dropLast()) : s
            let chomp = s.hasSuffix("\n") ? "" : "-"
            out += " |" + chomp + "\n"
            let pad = String(repeating: " ", count: indent + 2)
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? "\n" : pad + line + "\n"
            }
        default:
            out += " " + inline(value) + "\n"
        }
    }

    private static func inline(_ value: KubeValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d): return floatText(d)
        case .string(let s): return scalarText(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A float that reads back as a float (YAML 1.1 needs the dot: `1e-05` would be a string).
    private static func floatText(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? ".nan" : (d < 0 ? "-.inf" : ".inf") }
        var text = "\(d)"
        if !text.contains(".") {
            if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                text.insert(contentsOf: ".0", at: e)
            } else {
                text += ".0"
            }
        }
        return text
    }

    /// Words a YAML reader (1.1 or 1.2, Yams or Go's) might take for a boolean or null.
    private static let reserved: Set<String> = [
        "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~",
    ]

    /// A string plain when it cannot read back as anything else, else double-quoted with JSON-style escapes.
    static func scalarText(_ s: String) -> String {
        // Plain: starts with a letter, then letters, digits, `._/-` and single inner spaces (`Upgrade complete`).
        if let first = s.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII, s.last != " ",
            !s.contains("  "),
            s.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._/- ".unicodeScalars.contains($0))
            }),
            !reserved.contains(s.lowercased())
        {
            return s
        }
        // A JSON string literal is a YAML double-quoted scalar; YAML also wants these escaped to stay printable.
        var out = ""
        for scalar in JSONRender.string(s).unicodeScalars {
            if scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
                || scalar.value == 0x2028 || scalar.value == 0x2029
            {
                out += String(format: "\\u%04X", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A multi-line string reads better as a literal block: when it has no character a block cannot hold, and no
    /// line whose leading spaces would be taken for indentation.
    private static func literalBlockFits(_ s: String) -> Bool {
        guard s.contains("\n"), !s.hasSuffix("\n\n"), let first = s.first, first != " ", first != "\t", first != "\n"
        else { return false }
        return !s.unicodeScalars.contains {
            ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F || (0x80...0x9F).contains($0.value)
                || $0.value == 0xFEFF || $0.value == 0x2028 || $0.value == 0x2029
        }
    }
}
