import Foundation

/// Why a case file or the case folder cannot be used; every message names the file and, when known, the line.
public enum CatalogError: LocalizedError, Equatable {
    case unreadableDirectory(String)
    case invalidYAML(file: String, line: Int, problem: String)
    /// The file itself cannot be read as text (a directory, a dangling link, no permission, not UTF-8).
    case unreadableFile(file: String, problem: String)
    case missingField(file: String, line: Int, field: String)
    case invalidField(file: String, line: Int, field: String, problem: String)
    case badRegex(file: String, line: Int, pattern: String, problem: String)
    case unknownCapture(file: String, line: Int, name: String)
    case duplicateID(id: String, files: [String])
    /// Several problems found by a lint pass, reported together.
    case several([CatalogError])

    public var errorDescription: String? {
        switch self {
        case .unreadableDirectory(let dir):
            return "cannot read the case folder \(dir): check that it exists and is readable"
        case .invalidYAML(let file, let line, let problem):
            return "\(file):\(line): not valid YAML: \(problem)"
        case .unreadableFile(let file, let problem):
            return "\(file): cannot read this case file: \(problem)"
        case .missingField(let file, let line, let field):
            return "\(file):\(line): missing field '\(field)'"
        case .invalidField(let file, let line, let field, let problem):
            return "\(file):\(line): field '\(field)' \(problem)"
        case .badRegex(let file, let line, let pattern, let problem):
            return "\(file):\(line): the regex \(pattern) does not compile: \(problem)"
        case .unknownCapture(let file, let line, let name):
            let known = derivableParamNames.sorted().joined(separator: ", ")
            return "\(file):\(line): capture '\(name)' is not a playbook param; use one of \(known)"
        case .duplicateID(let id, let files):
            return "case id '\(id)' is defined twice: \(files.joined(separator: ", "))"
        case .several(let errors):
            return errors.compactMap(\.errorDescription).joined(separator: "\n")
        }
    }
}

extension CatalogError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreadableDirectory, .invalidYAML, .unreadableFile, .missingField, .invalidField, .badRegex,
            .unknownCapture, .duplicateID, .several:
            return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreadableDirectory, .invalidYAML, .unreadableFile, .missingField, .invalidField, .badRegex,
            .unknownCapture, .duplicateID, .several:
            return "invalid-case"
        }
    }
}

extension CatalogError {
    /// Throws nothing for no problems, the problem itself for one, and `several` for more.
    static func throwing(_ errors: [CatalogError]) throws {
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw CatalogError.several(errors) }
    }
}
