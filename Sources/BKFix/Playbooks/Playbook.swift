import Foundation

/// The types a playbook parameter can have; each validates and normalises a command-line value.
public enum ParamType: String, Sendable, Codable, CaseIterable {
    case string, int, number, bool, ipv4, ip, hosts, list, url, quantity, path
    case `enum`

    /// True for types whose value is a list (given comma-separated on the command line).
    public var isList: Bool { self == .hosts || self == .list }
}

/// One declared parameter of a playbook.
public struct ParamSpec: Sendable, Equatable {
    public var name: String
    public var type: ParamType
    public var required: Bool
    public var defaultValue: ArgValue?
    public var description: Localized?
    /// Allowed values for `enum`.
    public var values: [String]
    public var line: Int
}

/// One step (or verify check) as written: its kind, raw (unsubstituted) arguments and `on:` targets.
public struct StepSpec: Sendable, Equatable {
    public var kind: String
    public var args: [String: ArgValue]
    public var on: ArgValue?
    public var line: Int
}

/// A fix, as data: parameters and typed steps keyed to the cases it fixes (SPEC §5).
public struct Playbook: Sendable, Equatable {
    public var id: String
    public var cases: [String]
    public var title: Localized
    public var description: Localized?
    /// Shown before the confirmation question (what the operator is agreeing to).
    public var confirm: Localized?
    public var params: [ParamSpec]
    public var steps: [StepSpec]
    public var verify: [StepSpec]
    /// Where it was loaded from.
    public var file: String
    /// `revert-after:` — a temporary fix's proposed `--revert-after` (`2h`), or `offered` when the playbook only
    /// offers one ("commit confirmed"); nil when apply does not propose it.
    public var revertAfter: String? = nil

    public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }
}
