import Foundation

/// `{{name}}` substitution in step arguments. A scalar that is exactly one reference takes the whole value
/// (a list stays a list); a reference to an absent optional parameter drops the key.
public enum Template {
    /// Names always available besides the playbook's own parameters.
    public static let builtins: Set<String> = ["installDir", "workDir"]

    /// Every `{{name}}` referenced anywhere in the value.
    public static func references(in value: ArgValue) -> [String] {
        switch value {
        case .string(let s): return references(in: s)
        case .list(let l): return l.flatMap { references(in: $0) }
        case .map(let m): return m.values.flatMap { references(in: $0) }
        }
    }

    static func references(in s: String) -> [String] {
        var out: [String] = []
        var rest = s[...]
        while let open = rest.range(of: "{{") {
            guard let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { break }
            out.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// Substitutes parameters; nil means "drop this key" (whole-value reference to an absent parameter).
    public static func substitute(_ value: ArgValue, _ params: [String: ArgValue]) throws -> ArgValue? {
        switch value {
        case .string(let s):
            let refs = references(in: s)
            if refs.count == 1,
                s.trimmingCharacters(in: .whitespaces) == "{{\(refs[0])}}"
                    || s.trimmingCharacters(in: .whitespaces) == "{{ \(refs[0]) }}"
            {
                return params[refs[0]]
            }
            var out = s
            for ref in refs {
                guard let v = params[ref] else {
                    throw StepError.badArgument(step: "template", key: ref, reason: "parameter \(ref) has no value")
                }
                out = out.replacingOccurrences(of: "{{\(ref)}}", with: v.display)
                    .replacingOccurrences(of: "{{ \(ref) }}", with: v.display)
            }
            return .string(out)
        case .list(let l):
            return .list(try l.compactMap { try substitute($0, params) })
        case .map(let m):
            var out: [String: ArgValue] = [:]
            for (k, v) in m { out[k] = try substitute(v, params) }
            return .map(out)
        }
    }
}
