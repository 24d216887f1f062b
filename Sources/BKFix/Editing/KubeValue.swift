import Foundation

/// A JSON value as kubectl and helm print it (`-o json`), with booleans, whole numbers and other numbers kept apart
/// so an object read, written as YAML and read back compares equal.
public indirect enum KubeValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([KubeValue])
    case object([String: KubeValue])

    /// Parses a JSON document; `what` names it in the error (`kubectl get configmap x -o json`).
    public static func parse(json text: String, what: String) throws -> KubeValue {
        do {
            return try JSONDecoder().decode(KubeValue.self, from: Data(text.utf8))
        } catch {
            let problem: String
            switch error as? DecodingError {
            case .dataCorrupted(let context): problem = (context.underlyingError ?? error).localizedDescription
            default: problem = "\(error)"
            }
            throw KubeValueError.notJSON(what: what, problem: problem)
        }
    }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> KubeValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The value at a key path, or nil when some key is missing.
    public func value(at path: [String]) -> KubeValue? {
        path.reduce(Optional(self)) { $0?[$1] }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var int: Int64? {
        if case .int(let n) = self { return n }
        return nil
    }

    public var array: [KubeValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// This value with `path` set to `new` (missing objects on the way are created), or removed when `new` is nil.
    public func setting(_ path: [String], to new: KubeValue?) -> KubeValue {
        guard let first = path.first else { return new ?? .null }
        var members: [String: KubeValue] = [:]
        if case .object(let existing) = self { members = existing }
        if path.count == 1 {
            members[first] = new
        } else {
            members[first] = (members[first] ?? .object([:])).setting(Array(path.dropFirst()), to: new)
        }
        return .object(members)
    }

    /// The value as compact JSON with sorted keys (for a `kubectl patch -p` argument).
    public var compactJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// The JSON merge patch (RFC 7386) that turns `old` into `new`, or nil when they are equal: changed members are
    /// set, members `new` lacks are `null` (removed), anything that is not an object on both sides is replaced.
    public static func mergePatch(from old: KubeValue, to new: KubeValue) -> KubeValue? {
        guard old != new else { return nil }
        guard case .object(let a) = old, case .object(let b) = new else { return new }
        var patch: [String: KubeValue] = [:]
        for key in Set(a.keys).union(b.keys) {
            switch (a[key], b[key]) {
            case (.some, nil): patch[key] = .null
            case (nil, .some(let added)): patch[key] = added
            case (.some(let before), .some(let after)):
                if let inner = mergePatch(from: before, to: after) { patch[key] = inner }
            case (nil, nil): break
            }
        }
        return .object(patch)
    }
}

extension KubeValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Int64.self) {
            self = .int(n)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let items = try? c.decode([KubeValue].self) {
            self = .array(items)
        } else {
            self = .object(try c.decode([String: KubeValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let n): try c.encode(n)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let items): try c.encode(items)
        case .object(let members): try c.encode(members)
        }
    }
}

/// A kubectl or helm answer that is not the JSON it should be.
public enum KubeValueError: LocalizedError, Equatable {
    case notJSON(what: String, problem: String)
    case notYAML(what: String, problem: String)

    public var errorDescription: String? {
        switch self {
        case .notJSON(let what, let problem): return "\(what) did not print JSON: \(problem)"
        case .notYAML(let what, let problem): return "\(what) is not the YAML bkfix records: \(problem)"
        }
    }
}

extension KubeValueError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notJSON, .notYAML: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .notJSON, .notYAML: return "kubectl"
        }
    }
}
