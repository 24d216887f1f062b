import Foundation

/// Checks and normalises parameter values against their declared type.
public enum ParamValidator {
    /// Validates a value (from YAML default or the command line) for the parameter.
    public static func validate(_ value: ArgValue, as spec: ParamSpec) throws -> ArgValue {
        if spec.type.isList {
            let items: [String]
            switch value {
            case .string(let s):
                items = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            case .list: items = value.stringList ?? []
            case .map:
                throw PlaybookError.badParamValue(name: spec.name, value: value.display, reason: "expected a list")
            }
            if spec.type == .hosts {
                // No hosts would plan nothing and report "already applied" for a fix that was never made.
                if items.isEmpty {
                    throw PlaybookError.badParamValue(
                        name: spec.name, value: value.display, reason: "no host given (control, nodes, or a node name)")
                }
                for h in items where !isHostName(h) {
                    throw PlaybookError.badParamValue(
                        name: spec.name, value: h, reason: "not a host name (control, nodes, or a node name)")
                }
            }
            return .list(items.map { .string($0) })
        }
        guard let s = value.stringValue else {
            throw PlaybookError.badParamValue(
                name: spec.name, value: value.display, reason: "expected a single \(spec.type.rawValue)")
        }
        let bad = { (reason: String) in PlaybookError.badParamValue(name: spec.name, value: s, reason: reason) }
        switch spec.type {
        case .string, .path:
            if spec.type == .path, !s.hasPrefix("/") { throw bad("expected an absolute path") }
            if spec.type == .path, s != "/",
                s.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                    .contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
            {
                throw bad("expected a plain absolute path (no '.', '..', '//' or trailing '/')")
            }
            return .string(s)
        case .int:
            guard Int(s) != nil else { throw bad("expected a whole number") }
        case .number:
            guard let d = Double(s), d.isFinite, d > 0 else { throw bad("expected a positive number") }
        case .bool:
            guard ["true", "false", "yes", "no"].contains(s.lowercased()) else { throw bad("expected true or false") }
            return .string(["true", "yes"].contains(s.lowercased()) ? "true" : "false")
        case .ipv4:
            guard IPAddress.isIPv4(s) else {
                throw bad("not an IPv4 address (four decimal parts 0-255, no leading zeros)")
            }
        case .ip:
            guard IPAddress(s) != nil else { throw bad("not an IP address") }
        case .url:
            guard let u = URL(string: s), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil
            else {
                throw bad("expected an http(s) URL")
            }
        case .quantity:
            guard
                s.range(
                    of: #"^[0-9]+(\.[0-9]+)?([eE][0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"#,
                    options: .regularExpression) != nil
            else { throw bad("not a Kubernetes quantity (e.g. 500m, 2, 1Gi)") }
        case .enum:
            guard spec.values.contains(s) else { throw bad("expected one of \(spec.values.joined(separator: ", "))") }
        case .hosts, .list:
            break
        }
        return .string(s)
    }

    static func isHostName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }
    }

    /// Resolves the final parameter values: defaults, then derived (from diagnosis), then `-p` values.
    public static func resolve(
        _ playbook: Playbook, given: [String: String], derived: [String: String] = [:]
    ) throws -> [String: ArgValue] {
        for name in given.keys.sorted() where playbook.param(name) == nil {
            throw PlaybookError.unknownParam(playbook: playbook.id, name: name, known: playbook.params.map(\.name))
        }
        var out: [String: ArgValue] = [:]
        for spec in playbook.params {
            if let raw = given[spec.name] ?? derived[spec.name] {
                out[spec.name] = try validate(.string(raw), as: spec)
            } else if let d = spec.defaultValue {
                out[spec.name] = d
            } else if spec.required {
                throw PlaybookError.missingParam(playbook: playbook.id, name: spec.name)
            }
        }
        return out
    }

    /// Splits `key=value` command-line arguments.
    public static func parseAssignments(_ args: [String]) throws -> [String: String] {
        var out: [String: String] = [:]
        for arg in args {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                throw PlaybookError.malformedParamArgument(arg)
            }
            let key = String(arg[..<eq])
            let value = String(arg[arg.index(after: eq)...])
            if let earlier = out[key], earlier != value {
                throw PlaybookError.duplicateParam(name: key, values: [earlier, value])
            }
            out[key] = value
        }
        return out
    }
}
