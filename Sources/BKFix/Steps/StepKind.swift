import Foundation

/// The arguments of one step or verify check, after `{{param}}` substitution.
public struct StepArgs: Sendable, Equatable {
    public var kind: String
    public var values: [String: ArgValue]

    public init(kind: String, values: [String: ArgValue]) {
        self.kind = kind
        self.values = values
    }

    public func has(_ key: String) -> Bool { values[key] != nil }

    /// A required scalar.
    public func string(_ key: String) throws -> String {
        guard let v = values[key] else { throw StepError.missingArgument(step: kind, key: key) }
        guard let s = v.stringValue else {
            throw StepError.badArgument(step: kind, key: key, reason: "expected a scalar")
        }
        return s
    }

    /// An optional scalar.
    public func optionalString(_ key: String) throws -> String? {
        guard values[key] != nil else { return nil }
        return try string(key)
    }

    /// A required list of scalars (a scalar counts as one item).
    public func strings(_ key: String) throws -> [String] {
        guard let v = values[key] else { throw StepError.missingArgument(step: kind, key: key) }
        guard let l = v.stringList else {
            throw StepError.badArgument(step: kind, key: key, reason: "expected a list of scalars")
        }
        return l
    }

    /// An optional list of scalars.
    public func optionalStrings(_ key: String) throws -> [String]? {
        guard values[key] != nil else { return nil }
        return try strings(key)
    }

    /// A key path: a dotted string (`master.resources.limits.cpu`) or a list of keys (for keys holding dots, like
    /// `[metadata, annotations, nginx.ingress.kubernetes.io/x]`).
    public func keyPath(_ key: String) throws -> [String] {
        guard let raw = values[key] else { throw StepError.missingArgument(step: kind, key: key) }
        let keys: [String]
        switch raw {
        case .string(let dotted): keys = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        case .list: keys = try strings(key)
        case .map:
            throw StepError.badArgument(step: kind, key: key, reason: "expected a dotted path or a list of keys")
        }
        guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else {
            throw StepError.badArgument(step: kind, key: key, reason: "empty key in \(raw.display)")
        }
        return keys
    }

    /// An optional boolean (`true/false/yes/no`).
    public func bool(_ key: String, default def: Bool) throws -> Bool {
        guard let s = try optionalString(key) else { return def }
        switch s.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw StepError.badArgument(step: kind, key: key, reason: "expected true or false, got \(s)")
        }
    }

    /// An optional number.
    public func double(_ key: String, default def: Double) throws -> Double {
        guard let s = try optionalString(key) else { return def }
        guard let d = Double(s) else {
            throw StepError.badArgument(step: kind, key: key, reason: "expected a number, got \(s)")
        }
        return d
    }
}

/// Errors a step raises while planning.
public enum StepError: LocalizedError, Equatable {
    case missingArgument(step: String, key: String)
    case badArgument(step: String, key: String, reason: String)
    case unknownKind(String)
    /// The step cannot plan on the real content; the message names the file and the problem.
    case cannotPlan(step: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missingArgument(let step, let key): return "step \(step): missing argument '\(key)'"
        case .badArgument(let step, let key, let reason): return "step \(step): argument '\(key)': \(reason)"
        case .unknownKind(let k): return "unknown step kind '\(k)'"
        case .cannotPlan(let step, let reason): return "step \(step): \(reason)"
        }
    }
}

/// What a step plans: its changes plus notes for the operator (probe tables, the choice it made).
public struct StepPlan: Sendable, Equatable {
    public var changes: [Change]
    public var notes: [String]
    /// What the operator must not miss (data loss): shown in red before the changes.
    public var warnings: [String]
    /// Files to record before and after the run without changing them (a helm release's history): see `Plan.observed`.
    public var observe: [ObservedFile]

    public init(changes: [Change] = [], notes: [String] = [], warnings: [String] = [], observe: [ObservedFile] = []) {
        self.changes = changes
        self.notes = notes
        self.warnings = warnings
        self.observe = observe
    }
}

/// Everything a step may look at while planning, for one host. Planning never writes.
public struct PlanContext: Sendable {
    /// The host this step plans for.
    public var host: String
    /// Reads files and runs read-only queries on that host.
    public var transport: any Transport
    /// The transport of the control machine (kubectl, helmfile and the work dir live there).
    public var control: any Transport
    /// The BlueKing install dir as a host path (its `blueking/` is the work dir), if known.
    public var installDir: String?
    public var language: Language
    /// The environment bkfix itself runs in (PATH, HOME, KUBECONFIG ...).
    public var environment: [String: String]
    /// The planning view of any other host (set by the planner): reads pinned, writes refused.
    public var hostView: (@Sendable (String) throws -> any Transport)? = nil

    public init(
        host: String, transport: any Transport, control: any Transport, installDir: String?, language: Language,
        environment: [String: String]
    ) {
        self.host = host
        self.transport = transport
        self.control = control
        self.installDir = installDir
        self.language = language
        self.environment = environment
    }

    /// Reads another host while planning, through the same pinned, read-only view the planner gives each host: a
    /// cluster pseudo-host (`cluster:<context>`) for a step that changes cluster objects, say.
    public func transport(for host: String) throws -> any Transport {
        if host == transport.host { return transport }
        if host == control.host { return control }
        guard let hostView else {
            throw StepError.cannotPlan(step: "plan", reason: "host \(host) cannot be read while planning here")
        }
        return try hostView(host)
    }

    /// The BlueKing work dir (`INSTALL_DIR/blueking`).
    public var workDir: String? { installDir.map { ($0 as NSString).appendingPathComponent("blueking") } }

    /// Runs a read-only query on the control machine (e.g. `kubectl get sc -o json`, `helm version`).
    public func query(_ argv: [String], workdir: String? = nil, timeout: Double = 30) throws -> CommandResult {
        try control.run(CommandSpec(argv: argv, workdir: workdir, timeout: timeout), output: nil)
    }
}

/// A kind of step (`hosts-entry`, `command`, `values-set` ...): plans concrete changes from real content.
///
/// Applying and undoing are generic: a file change is written atomically and undone by restoring the
/// pre-image; a command runs its argv and is undone by its declared undo. So a step kind only plans.
public protocol StepKind: Sendable {
    /// The key used in playbooks, e.g. `hosts-entry`.
    static var name: String { get }
    /// Argument keys that must be present (checked by lint).
    static var requiredKeys: Set<String> { get }
    /// Argument keys that may be present (besides `on`).
    static var optionalKeys: Set<String> { get }
    /// Computes the changes for one host from its real current content, without side effects.
    static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan
}

/// The outcome of one verify check.
public struct VerifyResult: Sendable, Codable, Equatable {
    public var check: String
    public var host: String
    public var ok: Bool
    public var detail: String

    public init(check: String, host: String, ok: Bool, detail: String) {
        self.check = check
        self.host = host
        self.ok = ok
        self.detail = detail
    }
}

/// A kind of read-only check used in a playbook's `verify:` list (`resolve`, `docker-mirrors` ...).
public protocol VerifyKind: Sendable {
    static var name: String { get }
    static var requiredKeys: Set<String> { get }
    static var optionalKeys: Set<String> { get }
    /// Runs the check; must not change anything.
    static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult
}

extension StepError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .missingArgument, .badArgument, .unknownKind, .cannotPlan: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .missingArgument, .badArgument, .unknownKind, .cannotPlan: return "cannot-plan"
        }
    }
}
