import Foundation

/// A parameter or step-argument value after template substitution: a scalar string, a list or a mapping.
public indirect enum ArgValue: Sendable, Equatable, Hashable {
    case string(String)
    case list([ArgValue])
    case map([String: ArgValue])

    /// The scalar text, or nil for lists and mappings.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// A list as strings; a scalar counts as a one-element list.
    public var stringList: [String]? {
        switch self {
        case .string(let s): return [s]
        case .list(let items):
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { return nil }
                out.append(s)
            }
            return out
        case .map: return nil
        }
    }

    /// A plain-Swift rendering for JSON output.
    public var jsonObject: Any {
        switch self {
        case .string(let s): return s
        case .list(let l): return l.map(\.jsonObject)
        case .map(let m): return m.mapValues(\.jsonObject)
        }
    }

    /// Short text for messages: scalars as-is, lists comma-joined.
    public var display: String {
        switch self {
        case .string(let s): return s
        case .list(let l): return l.map(\.display).joined(separator: ",")
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!.display)" }.joined(separator: ", ") + "}"
        }
    }
}

extension ArgValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let l = try? c.decode([ArgValue].self) {
            self = .list(l)
        } else {
            self = .map(try c.decode([String: ArgValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        case .map(let m): try c.encode(m)
        }
    }
}
