import Foundation

/// Why a surgical YAML edit was refused; nothing is written when one is thrown.
public enum YAMLSpliceError: LocalizedError, Equatable {
    /// The path is empty or the value cannot be written as one scalar line.
    case badRequest(file: String, reason: String)
    /// The file (templates masked) is not YAML the editor understands.
    case notYAML(file: String, line: Int, reason: String)
    /// The path runs through a Go template block (`{{ if }}`, `{{ range }}` ...) opened at `templateLine`.
    case underTemplate(file: String, path: String, line: Int, templateLine: Int)
    /// The target scalar, or a key on the path, is a Go template expression.
    case templated(file: String, path: String, line: Int)
    /// A sibling key or an injected template might define the missing key; inserting would guess.
    case ambiguousTemplate(file: String, path: String, line: Int)
    /// The path reaches a sequence, which the editor does not index into.
    case hitsSequence(file: String, path: String, line: Int)
    /// The target holds a collection (or a block/multi-line scalar) where a plain scalar is expected.
    case notAScalar(file: String, path: String, line: Int, found: String)
    /// A key on the path holds a scalar, so no mapping can be inserted under it.
    case scalarInTheWay(file: String, path: String, line: Int)
    /// The edited text no longer parses, or a value other than the target changed.
    case verificationFailed(file: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .badRequest(let file, let reason):
            return "\(file): cannot edit: \(reason)"
        case .notYAML(let file, let line, let reason):
            return "\(file):\(line): not YAML the editor understands (\(reason)); edit it by hand"
        case .underTemplate(let file, let path, let line, let templateLine):
            return "\(file):\(line): \(path) lies inside the Go template block opened at line \(templateLine); "
                + "refusing to guess which branch applies, edit it by hand"
        case .templated(let file, let path, let line):
            return "\(file):\(line): \(path) runs through a Go template expression ({{ ... }}); edit it by hand"
        case .ambiguousTemplate(let file, let path, let line):
            return "\(file):\(line): the template on this line may already define \(path); "
                + "refusing to insert a possible duplicate, edit it by hand"
        case .hitsSequence(let file, let path, let line):
            return "\(file):\(line): \(path) runs into a sequence; the editor only sets keys in mappings"
        case .notAScalar(let file, let path, let line, let found):
            return "\(file):\(line): \(path) holds \(found), not a scalar; refusing to overwrite it"
        case .scalarInTheWay(let file, let path, let line):
            return "\(file):\(line): \(path) holds a scalar, so nothing can be set below it"
        case .verificationFailed(let file, let reason):
            return "\(file): the edit did not verify (\(reason)); nothing was written"
        }
    }
}

extension YAMLSpliceError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .badRequest, .notYAML, .underTemplate, .templated, .ambiguousTemplate, .hitsSequence, .notAScalar,
            .scalarInTheWay:
            return .badInput
        case .verificationFailed: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .badRequest, .notYAML, .underTemplate, .templated, .ambiguousTemplate, .hitsSequence, .notAScalar,
            .scalarInTheWay:
            return "bad-values-file"
        case .verificationFailed: return "internal"
        }
    }
}
