import Foundation

/// Edits inside flow mappings (`master: {resources: {limits: {cpu: 500m}}}`): a scalar is replaced in place and a
/// missing key is added after the last entry, so every other byte of the line (or lines) stays.
extension YAMLSplice {
    /// Sets `path[depth...]` inside `mapping`, whose own key path is `path[..<depth]`.
    static func set(
        _ path: [String], from depth: Int, value: String, in mapping: YAMLFlow.Mapping, lines: inout YAMLLines,
        file: String
    ) throws {
        var mapping = mapping
        var depth = depth
        while true {
            let key = path[depth]
            let here = path[0...depth].joined(separator: ".")
            let isTarget = depth == path.count - 1
            let matches = mapping.entries.filter { !$0.keyTemplated && $0.key == key }
            guard let entry = matches.last else {
                try insert(Array(path[depth...]), value: value, into: mapping, lines: &lines, file: file, dotted: here)
                return
            }
            let line = entry.keyLine + 1
            if matches.count > 1 {
                throw YAMLSpliceError.notYAML(file: file, line: line, reason: "duplicate key \(here)")
            }
            switch entry.value {
            case .scalar(let scalarLine, let span):
                if span.raw.contains("{{") { throw YAMLSpliceError.templated(file: file, path: here, line: line) }
                guard isTarget else { throw YAMLSpliceError.scalarInTheWay(file: file, path: here, line: line) }
                lines.lines[scalarLine].content.replaceSubrange(
                    span.range, with: Array(encodeInFlow(value, like: span.style).utf8))
                return
            case .mapping(let child):
                if isTarget {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a flow mapping")
                }
                mapping = child
                depth += 1
            case .sequence:
                if isTarget {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a flow sequence")
                }
                throw YAMLSpliceError.hitsSequence(file: file, path: here, line: line)
            case .empty(let at, let hasColon):
                let text =
                    isTarget
                    ? encodeInFlow(value, like: .plain)
                    : flowText(Array(path[(depth + 1)...]), value: value, padded: mapping.padded)
                let content = lines.lines[at.line].content
                let blankFollows = at.column < content.count && (content[at.column] == 32 || content[at.column] == 9)
                // After `key:` and its blank when there is one, else with the separator it needs.
                let insertion = (hasColon ? (blankFollows ? "" : " ") : ": ") + text
                let column = hasColon && blankFollows ? at.column + 1 : at.column
                lines.lines[at.line].content.insert(contentsOf: Array(insertion.utf8), at: column)
                return
            case .alias:
                throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "an alias (*name)")
            case .multilineScalar:
                throw isTarget
                    ? YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a multi-line scalar")
                    : YAMLSpliceError.scalarInTheWay(file: file, path: here, line: line)
            case .multilineTemplate(let templateLine):
                throw YAMLSpliceError.templated(file: file, path: here, line: templateLine + 1)
            case .opaque(let opaqueLine, let reason):
                throw YAMLSpliceError.notYAML(file: file, line: opaqueLine + 1, reason: reason)
            }
        }
    }

    /// Adds `keys` (nested flow mappings, the last key holding `value`) as the mapping's last entry: after the last
    /// entry on its line, or on a line of its own when the entries and the closing `}` each have their own lines.
    private static func insert(
        _ keys: [String], value: String, into mapping: YAMLFlow.Mapping, lines: inout YAMLLines, file: String,
        dotted: String
    ) throws {
        if let templated = mapping.entries.first(where: \.keyTemplated) {
            throw YAMLSpliceError.ambiguousTemplate(file: file, path: dotted, line: templated.keyLine + 1)
        }
        if let line = mapping.templateLine {
            throw YAMLSpliceError.ambiguousTemplate(file: file, path: dotted, line: line + 1)
        }
        if let line = mapping.problemLine {
            throw YAMLSpliceError.notYAML(file: file, line: line + 1, reason: "a flow mapping the editor cannot read")
        }
        let text = flowText(keys, value: value, padded: mapping.padded)
        guard let last = mapping.entries.last else {
            // `{}` or `{ }`: the entry goes between the braces, padded like the file's other mappings.
            let open = mapping.open
            let close = mapping.close
            if open.line == close.line {
                let inside = (open.column + 1)..<close.column
                let padded = mapping.padded || !inside.isEmpty
                lines.lines[open.line].content.replaceSubrange(
                    inside, with: Array((padded ? " " + text + " " : text).utf8))
            } else {
                lines.lines[open.line].content.insert(contentsOf: Array(text.utf8), at: open.column + 1)
            }
            return
        }
        let close = mapping.close
        let closeLine = lines.lines[close.line].content
        let closeAlone = close.line > last.end.line && closeLine[..<close.column].allSatisfy { $0 == 32 || $0 == 9 }
        let keyLine = lines.lines[last.keyLine].content
        let keyStartsLine = keyLine[..<last.keyColumn].allSatisfy { $0 == 32 || $0 == 9 }
        if closeAlone && keyStartsLine {
            // One entry per line: a new line like the last entry's, with the commas the file's style asks for.
            if !mapping.trailingComma {
                lines.lines[last.end.line].content.insert(UInt8(ascii: ","), at: last.end.column)
            }
            let indent = Array(keyLine[..<last.keyColumn])
            let added = YAMLLines.Line(
                content: indent + Array((text + (mapping.trailingComma ? "," : "")).utf8),
                terminator: lines.lines[last.keyLine].terminator.isEmpty ? [10] : lines.lines[last.keyLine].terminator)
            lines.lines.insert(added, at: close.line)
        } else {
            lines.lines[last.end.line].content.insert(contentsOf: Array((", " + text).utf8), at: last.end.column)
        }
    }

    /// `a: {b: value}` for keys `[a, b]`, written for a flow context.
    private static func flowText(_ keys: [String], value: String, padded: Bool) -> String {
        var text = encodeInFlow(value, like: .plain)
        for key in keys.dropFirst().reversed() {
            let entry = encodeInFlow(key, like: .plain) + ": " + text
            text = padded ? "{ " + entry + " }" : "{" + entry + "}"
        }
        return encodeInFlow(keys[0], like: .plain) + ": " + text
    }

    /// A scalar for a flow context: plain only when it reads back the same there (no `,[]{}`), else quoted.
    static func encodeInFlow(_ value: String, like style: YAMLOutline.ScalarStyle) -> String {
        if style == .plain && value.contains(where: { ",[]{}".contains($0) }) {
            return encode(value, like: .doubleQuoted)
        }
        return encode(value, like: style)
    }
}
