import Foundation

/// One problem found in a playbook file, with its position.
public struct LintIssue: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int = 1, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Errors about playbooks and their parameters.
public enum PlaybookError: LocalizedError, Equatable {
    case invalid([LintIssue])
    case unknownPlaybook(id: String, suggestions: [String])
    case unknownParam(playbook: String, name: String, known: [String])
    case badParamValue(name: String, value: String, reason: String)
    case missingParam(playbook: String, name: String)
    case malformedParamArgument(String)
    /// The same parameter given twice with different values: which one was meant is a guess.
    case duplicateParam(name: String, values: [String])
    case unknownTarget(String)
    case unreadable(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalid(let issues):
            return issues.map(\.description).joined(separator: "\n")
        case .unknownPlaybook(let id, let suggestions):
            let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.joined(separator: ", "))?)"
            return "unknown playbook '\(id)'\(hint); `bkfix playbooks` lists them"
        case .unknownParam(let playbook, let name, let known):
            let list = known.isEmpty ? "it takes none" : "it takes: \(known.joined(separator: ", "))"
            return "playbook \(playbook) has no parameter '\(name)'; \(list)"
        case .badParamValue(let name, let value, let reason):
            return "parameter \(name)=\(value): \(reason)"
        case .missingParam(let playbook, let name):
            return "playbook \(playbook) needs parameter '\(name)': pass -p \(name)=VALUE"
        case .malformedParamArgument(let arg):
            return "-p \(arg): expected key=value"
        case .duplicateParam(let name, let values):
            return "parameter \(name) is given twice (\(values.map { "\(name)=\($0)" }.joined(separator: ", "))); "
                + "give it once"
        case .unknownTarget(let target):
            return "unknown target host '\(target)': only 'control' is reachable (node transports need an inventory)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        }
    }
}

extension PlaybookError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .invalid, .unknownPlaybook, .unknownParam, .badParamValue, .missingParam, .malformedParamArgument,
            .duplicateParam, .unknownTarget, .unreadable:
            return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .invalid, .unreadable: return "invalid-playbook"
        case .unknownPlaybook: return "unknown-playbook"
        case .unknownParam, .badParamValue, .missingParam, .malformedParamArgument, .duplicateParam, .unknownTarget:
            return "bad-parameter"
        }
    }
}
