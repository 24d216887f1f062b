import Foundation

/// Surgical YAML edits for helm values files (`*.yaml`, `*.yaml.gotmpl`): set scalars at key paths, inserting
/// missing mappings with the file's own indentation, and change no other byte. Every edit is re-parsed (Go
/// templates masked) and refused unless exactly the requested values changed.
public enum YAMLSplice {
    /// One scalar to set at a key path.
    public struct Assignment: Sendable, Equatable {
        public var path: [String]
        public var value: String
        /// How to write the value: `.keep` the style of the scalar it replaces (plain for a new one), or force a
        /// quoted string (`"86400000"` stays a string where a chart would render a plain 86400000 as 8.64e+07) or a
        /// plain scalar (a number or boolean that must not stay quoted).
        public var quoting: Quoting

        public enum Quoting: Sendable, Equatable { case keep, string, plain }

        public init(_ path: [String], _ value: String, quoting: Quoting = .keep) {
            self.path = path
            self.value = value
            self.quoting = quoting
        }

        /// The value as written in place of a scalar of style `existing` (a new scalar: `.plain`).
        func encoded(replacing existing: YAMLOutline.ScalarStyle) -> String {
            switch quoting {
            case .keep: return encode(value, like: existing)
            case .string: return encode(value, like: existing == .singleQuoted ? .singleQuoted : .doubleQuoted)
            case .plain: return encode(value, like: .plain)
            }
        }
    }

    /// Sets the scalar at `path` to `value` in `text` (an empty text creates a file holding only that key).
    /// `file` names the file in errors.
    public static func set(_ path: [String], to value: String, in text: String, file: String) throws -> String {
        try set([Assignment(path, value)], in: text, file: file)
    }

    /// Sets several scalars at once; all or nothing.
    public static func set(_ assignments: [Assignment], in text: String, file: String) throws -> String {
        let originalLines = YAMLLines(text)
        let originalMask = YAMLTemplateMask(originalLines)
        let before = try YAMLValueTree.documents(of: originalMask.maskedText, file: file)
        var lines = originalLines
        var editedDocuments: [Int] = []
        for assignment in assignments {
            try validate(assignment, file: file)
            let document: Int
            (lines, document) = try apply(assignment, to: lines, file: file)
            editedDocuments.append(document)
        }
        let result = lines.text
        try verify(
            result, before: before, assignments: assignments, documents: editedDocuments, file: file)
        return result
    }

    /// A dotted path (`master.resources.limits.cpu`) as keys.
    public static func path(_ dotted: String) -> [String] {
        dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    private static func validate(_ assignment: Assignment, file: String) throws {
        if assignment.path.isEmpty || assignment.path.contains(where: \.isEmpty) {
            throw YAMLSpliceError.badRequest(
                file: file, reason: "empty key in path '\(assignment.path.joined(separator: "."))'")
        }
        if assignment.value.contains("\n") || assignment.value.contains("\r") {
            throw YAMLSpliceError.badRequest(
                file: file, reason: "the value for \(assignment.path.joined(separator: ".")) spans lines")
        }
        if assignment.path.contains(where: { $0.contains("{{") }) || assignment.value.contains("{{") {
            throw YAMLSpliceError.badRequest(file: file, reason: "Go templates cannot be written by the editor")
        }
    }

    /// Applies one assignment; returns the new lines and the index of the document edited.
    private static func apply(_ assignment: Assignment, to lines: YAMLLines, file: String) throws -> (YAMLLines, Int) {
        let mask = YAMLTemplateMask(lines)
        let outline = try YAMLOutline(lines, mask: mask, file: file)
        let path = assignment.path
        let dotted = path.joined(separator: ".")
        guard !outline.documents.isEmpty else {
            var result = lines
            result.lines += newLines(
                path, value: assignment.encoded(replacing: .plain), indent: 0, unit: 2, terminator: [10])
            return (result, 0)
        }
        let documentIndex = bestDocument(outline.documents, path: path)
        let document = outline.documents[documentIndex]
        var entries = document.entries
        var parent: YAMLOutline.Entry?
        var result = lines
        for (depth, key) in path.enumerated() {
            let here = path[0...depth].joined(separator: ".")
            let matches = entries.filter { !$0.keyTemplated && $0.key == key }
            guard let entry = matches.last else {
                let siblingsStart = parent.map { $0.line + 1 } ?? document.firstLine
                let siblingsEnd = parent.map { $0.lastLine + 1 } ?? document.endLine
                if let templated = entries.first(where: { $0.keyTemplated }) {
                    throw YAMLSpliceError.ambiguousTemplate(file: file, path: here, line: templated.line + 1)
                }
                if let injected = (siblingsStart..<siblingsEnd).first(where: { outline.injectsTemplate($0) }) {
                    throw YAMLSpliceError.ambiguousTemplate(file: file, path: here, line: injected + 1)
                }
                let indent = entries.first?.indent ?? (parent.map { $0.indent + outline.indentUnit } ?? 0)
                // An empty document (comments only) gets the new keys after its comments.
                let after = parent?.lastLine ?? document.lastContentLine ?? (document.endLine - 1)
                try insert(
                    Array(path[depth...]), value: assignment.encoded(replacing: .plain), indent: indent,
                    unit: outline.indentUnit,
                    after: after, documentStart: document.firstLine, parent: parent, mask: mask, into: &result,
                    file: file, dotted: here)
                return (result, documentIndex)
            }
            if matches.count > 1 {
                throw YAMLSpliceError.notYAML(file: file, line: entry.line + 1, reason: "duplicate key \(here)")
            }
            if let open = mask.openBlock[entry.line] {
                throw YAMLSpliceError.underTemplate(file: file, path: here, line: entry.line + 1, templateLine: open)
            }
            let isTarget = depth == path.count - 1
            let line = entry.line + 1
            switch entry.value {
            case .scalar(let span):
                if span.raw.contains("{{") { throw YAMLSpliceError.templated(file: file, path: here, line: line) }
                guard isTarget else { throw YAMLSpliceError.scalarInTheWay(file: file, path: here, line: line) }
                let encoded = assignment.encoded(replacing: span.style)
                result.lines[entry.line].content.replaceSubrange(span.range, with: Array(encoded.utf8))
                return (result, documentIndex)
            case .empty:
                if !isTarget, let injected = injectedBelow(entry, outline: outline) {
                    throw YAMLSpliceError.ambiguousTemplate(file: file, path: here, line: injected + 1)
                }
                if isTarget {
                    let encoded = " " + assignment.encoded(replacing: .plain)
                    result.lines[entry.line].content.insert(contentsOf: Array(encoded.utf8), at: entry.valueInsertAt)
                    return (result, documentIndex)
                }
                try insert(
                    Array(path[(depth + 1)...]), value: assignment.encoded(replacing: .plain),
                    indent: entry.indent + outline.indentUnit,
                    unit: outline.indentUnit, after: entry.lastLine, documentStart: document.firstLine,
                    parent: entry, mask: mask, into: &result, file: file, dotted: dotted)
                return (result, documentIndex)
            case .emptyFlowMapping(let range):
                guard !isTarget else {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "an empty mapping")
                }
                // `key: {}` becomes `key:` followed by the new children.
                var start = range.lowerBound
                let content = result.lines[entry.line].content
                while start > entry.valueInsertAt, content[start - 1] == 32 { start -= 1 }
                result.lines[entry.line].content.removeSubrange(start..<range.upperBound)
                try insert(
                    Array(path[(depth + 1)...]), value: assignment.encoded(replacing: .plain),
                    indent: entry.indent + outline.indentUnit,
                    unit: outline.indentUnit, after: entry.lastLine, documentStart: document.firstLine,
                    parent: entry, mask: mask, into: &result, file: file, dotted: dotted)
                return (result, documentIndex)
            case .mapping(let children, _):
                guard !isTarget else {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a mapping")
                }
                parent = entry
                entries = children
            case .sequence:
                if isTarget {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a sequence")
                }
                throw YAMLSpliceError.hitsSequence(file: file, path: here, line: line)
            case .flowMapping(let mapping):
                guard !isTarget else {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a flow mapping")
                }
                try set(path, from: depth + 1, value: assignment.value, in: mapping, lines: &result, file: file)
                return (result, documentIndex)
            case .flowSequence:
                if isTarget {
                    throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a flow sequence")
                }
                throw YAMLSpliceError.hitsSequence(file: file, path: here, line: line)
            case .blockScalar:
                throw isTarget
                    ? YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a block scalar (| or >)")
                    : YAMLSpliceError.scalarInTheWay(file: file, path: here, line: line)
            case .multilineScalar:
                throw isTarget
                    ? YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "a multi-line scalar")
                    : YAMLSpliceError.scalarInTheWay(file: file, path: here, line: line)
            case .alias:
                throw YAMLSpliceError.notAScalar(file: file, path: here, line: line, found: "an alias (*name)")
            }
        }
        throw YAMLSpliceError.badRequest(file: file, reason: "empty path")
    }

    /// A template line right under an empty key that may emit its children (`{{ toYaml .x | nindent 2 }}`).
    private static func injectedBelow(_ entry: YAMLOutline.Entry, outline: YAMLOutline) -> Int? {
        var index = entry.line + 1
        while index < outline.lines.lines.count, outline.isSkippable(index) {
            if outline.injectsTemplate(index) { return index }
            index += 1
        }
        return nil
    }

    /// The document holding the longest existing prefix of the path; on a tie the first one, which is the
    /// document helm reads from a values file.
    private static func bestDocument(_ documents: [YAMLOutline.Document], path: [String]) -> Int {
        func depth(_ entries: [YAMLOutline.Entry], _ rest: ArraySlice<String>) -> Int {
            guard let key = rest.first, let entry = entries.last(where: { $0.key == key }) else { return 0 }
            if case .mapping(let children, _) = entry.value { return 1 + depth(children, rest.dropFirst()) }
            if case .flowMapping(let mapping) = entry.value { return 1 + flowDepth(mapping, rest.dropFirst()) }
            return 1
        }
        func flowDepth(_ mapping: YAMLFlow.Mapping, _ rest: ArraySlice<String>) -> Int {
            guard let key = rest.first, let entry = mapping.entries.last(where: { $0.key == key }) else { return 0 }
            if case .mapping(let child) = entry.value { return 1 + flowDepth(child, rest.dropFirst()) }
            return 1
        }
        var best = 0
        var bestDepth = -1
        for (index, document) in documents.enumerated() {
            let d = depth(document.entries, path[...])
            if d > bestDepth {
                best = index
                bestDepth = d
            }
        }
        return best
    }

    /// Inserts `keys` (the last one holding `value`, already encoded as YAML) after line `after`, outside any
    /// template block.
    private static func insert(
        _ keys: [String], value: String, indent: Int, unit: Int, after: Int?, documentStart: Int,
        parent: YAMLOutline.Entry?, mask: YAMLTemplateMask, into lines: inout YAMLLines, file: String, dotted: String
    ) throws {
        var position = after.map { $0 + 1 } ?? documentStart
        let parentState: Int? = parent.flatMap { mask.openBlock[$0.line] }
        // Step over template lines that close blocks opened inside the parent, e.g. a trailing `{{- end }}`.
        while position < lines.lines.count, mask.templateOnly[position], mask.openBlock[position] != parentState {
            position += 1
        }
        let stateThere: Int? = position < mask.openBlock.count ? mask.openBlock[position] : nil
        if stateThere != parentState, let open = stateThere {
            throw YAMLSpliceError.underTemplate(file: file, path: dotted, line: position + 1, templateLine: open)
        }
        let terminator = lines.preferredTerminator
        var added = newLines(keys, value: value, indent: indent, unit: unit, terminator: terminator)
        if position == lines.lines.count, let last = lines.lines.last, last.terminator.isEmpty {
            // Keep the missing final newline missing: the old last line gains one, the new last line has none.
            lines.lines[lines.lines.count - 1].terminator = terminator
            added[added.count - 1].terminator = []
        }
        lines.lines.insert(contentsOf: added, at: position)
    }

    /// The lines of nested new keys; `value` is the encoded scalar of the last one.
    private static func newLines(
        _ keys: [String], value: String, indent: Int, unit: Int, terminator: [UInt8]
    ) -> [YAMLLines.Line] {
        keys.enumerated().map { offset, key in
            let prefix = String(repeating: " ", count: indent + offset * unit) + encodeKey(key) + ":"
            let text = offset == keys.count - 1 ? prefix + " " + value : prefix
            return YAMLLines.Line(content: Array(text.utf8), terminator: terminator)
        }
    }

    /// The value written in the style of the scalar it replaces (plain falls back to double quotes when needed).
    static func encode(_ value: String, like style: YAMLOutline.ScalarStyle) -> String {
        switch style {
        case .singleQuoted: return "'" + value.replacing("'", with: "''") + "'"
        case .doubleQuoted: return doubleQuoted(value)
        case .plain: return isPlainSafe(value) ? value : doubleQuoted(value)
        }
    }

    private static func encodeKey(_ key: String) -> String { isPlainSafe(key) ? key : doubleQuoted(key) }

    private static func doubleQuoted(_ value: String) -> String {
        "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
    }

    /// True when the text reads back as the same string written plain.
    static func isPlainSafe(_ value: String) -> Bool {
        guard let first = value.first, let last = value.last else { return false }
        // Plain, these read back as null, not as the string (found by the editor fuzz test).
        if ["~", "null", "Null", "NULL"].contains(value) { return false }
        if " \t".contains(last) || " \t".contains(first) { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first)
            && !(first == "-" && value.count > 1 && value.dropFirst().first!.isNumber)
        {
            return false
        }
        if value.contains(": ") || value.contains(" #") || value.hasSuffix(":") || value.contains("\t") { return false }
        return true
    }

    /// Re-parses the edited text and requires it to mean exactly the original plus the assignments.
    private static func verify(
        _ text: String, before: [YAMLValueTree], assignments: [Assignment], documents: [Int], file: String
    ) throws {
        let mask = YAMLTemplateMask(YAMLLines(text))
        let after: [YAMLValueTree]
        do {
            after = try YAMLValueTree.documents(of: mask.maskedText, file: file)
        } catch let error as YAMLSpliceError {
            throw YAMLSpliceError.verificationFailed(
                file: file, reason: "the result does not parse: \(error.localizedDescription)")
        }
        var expected = before
        for (assignment, document) in zip(assignments, documents) {
            while expected.count <= document { expected.append(.null) }
            expected[document] = expected[document].setting(assignment.path, to: assignment.value)
        }
        guard expected == after else {
            let location =
                zip(expected, after).lazy.compactMap { YAMLValueTree.firstDifference($0, $1) }.first
                ?? "document count \(expected.count) vs \(after.count)"
            throw YAMLSpliceError.verificationFailed(file: file, reason: "an unexpected change at \(location)")
        }
    }
}
