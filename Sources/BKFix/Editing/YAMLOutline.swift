import Foundation

/// The block-mapping skeleton of a helm values file with byte positions: which key sits on which line, and
/// where each inline scalar starts and ends. Only what a surgical edit needs; anything else is kept opaque.
struct YAMLOutline {
    enum ScalarStyle: Equatable { case plain, singleQuoted, doubleQuoted }

    /// An inline scalar on a key's line: its byte range in that line and its quoting.
    struct ScalarSpan: Equatable {
        var range: Range<Int>
        var style: ScalarStyle
        var raw: String
    }

    /// What a key holds, as far as the editor cares.
    indirect enum Value: Equatable {
        case scalar(ScalarSpan)
        case mapping([Entry], indent: Int)
        /// `key: {}`: the range of `{}` on the key's line.
        case emptyFlowMapping(Range<Int>)
        /// Nothing at all (a null): `key:` alone.
        case empty
        case sequence
        /// `key: {a: 1, ...}`, on one line or several.
        case flowMapping(YAMLFlow.Mapping)
        /// `key: [a, b]`, on one line or several.
        case flowSequence
        case blockScalar
        case multilineScalar
        case alias
    }

    struct Entry: Equatable {
        var key: String
        /// 0-based line of the key.
        var line: Int
        var indent: Int
        var keyTemplated: Bool
        /// Byte offset just after the `:` (and any `&anchor`/`!tag`), where an inline value would go.
        var valueInsertAt: Int
        var value: Value
        /// 0-based last line of the entry's subtree that holds YAML content.
        var lastLine: Int
    }

    struct Document: Equatable {
        /// First line after the `---` marker (or 0).
        var firstLine: Int
        /// One past the last line of the document.
        var endLine: Int
        var entries: [Entry]
        /// Last line holding content, or nil for an empty document.
        var lastContentLine: Int?
    }

    let lines: YAMLLines
    let mask: YAMLTemplateMask
    let file: String
    private(set) var documents: [Document] = []

    init(_ lines: YAMLLines, mask: YAMLTemplateMask, file: String) throws {
        self.lines = lines
        self.mask = mask
        self.file = file
        var start = 0
        var sawMarker = false
        var ranges: [(Int, Int, Bool)] = []
        for (index, line) in lines.lines.enumerated() where Self.isDocumentMarker(line.content) {
            ranges.append((start, index, sawMarker))
            start = index + 1
            sawMarker = true
        }
        ranges.append((start, lines.lines.count, sawMarker))
        for (first, end, explicit) in ranges {
            let hasContent = (first..<end).contains { !isSkippable($0) }
            if !explicit && !hasContent && ranges.count > 1 { continue }
            var cursor = first
            let entries = try parseMapping(indent: nil, cursor: &cursor, end: end)
            // A block scalar's lines may look like comments (`# not a comment`): its entry knows where it ends.
            let last = [(first..<end).last { !isSkippable($0) }, entries.last?.lastLine].compactMap { $0 }.max()
            documents.append(Document(firstLine: first, endLine: end, entries: entries, lastContentLine: last))
        }
        indentUnit = Self.commonIndentStep(documents)
    }

    static func isDocumentMarker(_ content: [UInt8]) -> Bool {
        let s = content.utf8String
        return s == "---" || s.hasPrefix("--- ") || s.hasPrefix("---\t") || s == "..."
    }

    /// Blank, comment-only and template-only lines carry no structure.
    func isSkippable(_ index: Int) -> Bool {
        let content = lines.lines[index].content
        if mask.templateOnly[index] || content.isBlankLine { return true }
        let indent = content.prefix(while: { $0 == 32 || $0 == 9 }).count
        return content[indent] == UInt8(ascii: "#")
    }

    /// True when the line is a template-only line that can emit YAML (not a control, variable or comment).
    func injectsTemplate(_ index: Int) -> Bool {
        guard mask.templateOnly[index] else { return false }
        let text = lines.lines[index].content.utf8String.trimmingBlanks
        var body = Substring(text.dropFirst(2)).drop(while: { $0 == "-" || $0 == " " })
        if body.hasPrefix("/*") || body.hasPrefix("$") { return false }
        body = body.prefix(while: { $0.isLetter })
        return !["if", "else", "end", "range", "with", "define", "block"].contains(String(body))
    }

    private func notYAML(_ index: Int, _ reason: String) -> YAMLSpliceError {
        .notYAML(file: file, line: index + 1, reason: reason)
    }

    private func nextContentLine(from: Int, end: Int) -> Int? {
        var i = from
        while i < end {
            if !isSkippable(i) { return i }
            i += 1
        }
        return nil
    }

    private func startsSequenceItem(_ content: [UInt8], at column: Int) -> Bool {
        guard column < content.count, content[column] == UInt8(ascii: "-") else { return false }
        return column + 1 == content.count || content[column + 1] == 32 || content[column + 1] == 9
    }

    /// Parses the block mapping whose keys sit at `indent` (the first key's column when nil).
    private func parseMapping(indent wanted: Int?, cursor: inout Int, end: Int) throws -> [Entry] {
        var entries: [Entry] = []
        var indent = wanted
        while let i = nextContentLine(from: cursor, end: end) {
            let content = lines.lines[i].content
            if content.first == 9 { throw notYAML(i, "a tab used for indentation") }
            let column = content.indentWidth
            if let indent, column < indent { break }
            if let indent, column > indent { throw notYAML(i, "unexpected indentation") }
            indent = column
            if startsSequenceItem(content, at: column) {
                throw notYAML(
                    i, entries.isEmpty ? "the document is a sequence, not a mapping" : "a sequence item among keys")
            }
            var entry = try parseKey(i, column: column)
            cursor = i + 1
            try parseValue(&entry, cursor: &cursor, end: end)
            entries.append(entry)
        }
        return entries
    }

    /// Reads `key:` at `column`; the value is filled in by `parseValue`.
    private func parseKey(_ i: Int, column: Int) throws -> Entry {
        let content = lines.lines[i].content
        var key: String
        var j: Int
        let first = content[column]
        if first == UInt8(ascii: "?") { throw notYAML(i, "complex mapping keys are not supported") }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let close = closingQuote(content, from: column) else { throw notYAML(i, "unterminated quoted key") }
            key = Self.unquote(Array(content[column...close]))
            j = close + 1
            while j < content.count, content[j] == 32 { j += 1 }
            guard j < content.count, content[j] == UInt8(ascii: ":") else {
                throw notYAML(i, "expected ':' after the key")
            }
        } else {
            var depth = 0
            j = column
            var found = false
            while j < content.count {
                let c = content[j]
                if c == UInt8(ascii: "{"), j + 1 < content.count, content[j + 1] == UInt8(ascii: "{") {
                    depth += 1
                    j += 2
                    continue
                }
                if c == UInt8(ascii: "}"), j + 1 < content.count, content[j + 1] == UInt8(ascii: "}"), depth > 0 {
                    depth -= 1
                    j += 2
                    continue
                }
                if depth == 0, c == UInt8(ascii: ":"),
                    j + 1 == content.count || content[j + 1] == 32 || content[j + 1] == 9
                {
                    found = true
                    break
                }
                if depth == 0, c == UInt8(ascii: "#"), j > column, content[j - 1] == 32 { break }
                j += 1
            }
            guard found else { throw notYAML(i, "expected 'key: value'") }
            key = Array(content[column..<j]).utf8String.trimmingBlanks
        }
        return Entry(
            key: key, line: i, indent: column, keyTemplated: key.contains("{{"), valueInsertAt: j + 1, value: .empty,
            lastLine: i)
    }

    /// Classifies the value after the key's colon and consumes the lines it spans.
    private func parseValue(_ entry: inout Entry, cursor: inout Int, end: Int) throws {
        let i = entry.line
        let content = lines.lines[i].content
        var j = entry.valueInsertAt
        // Skip blanks and node properties (anchors, tags).
        while true {
            while j < content.count, content[j] == 32 || content[j] == 9 { j += 1 }
            guard j < content.count, content[j] == UInt8(ascii: "&") || content[j] == UInt8(ascii: "!") else { break }
            while j < content.count, content[j] != 32, content[j] != 9 { j += 1 }
            entry.valueInsertAt = j
        }
        let column = entry.indent
        if j >= content.count || content[j] == UInt8(ascii: "#") {
            // Nothing inline: children, a sequence, or null.
            guard let next = nextContentLine(from: cursor, end: end) else { return }
            let nextContent = lines.lines[next].content
            let nextColumn = nextContent.indentWidth
            if startsSequenceItem(nextContent, at: nextColumn), nextColumn >= column {
                entry.value = .sequence
                entry.lastLine = consumeSequence(from: next, parentIndent: column, cursor: &cursor, end: end)
            } else if nextColumn > column, opensFlow(nextContent, at: nextColumn) {
                // `key:` with its flow collection on the next line (`resources:` then `  {}`, as charts write it).
                try parseFlow(&entry, at: YAMLFlow.Position(line: next, column: nextColumn), cursor: &cursor, end: end)
            } else if nextColumn > column {
                cursor = next
                let children = try parseMapping(indent: nextColumn, cursor: &cursor, end: end)
                entry.value = .mapping(children, indent: nextColumn)
                entry.lastLine = children.last?.lastLine ?? i
            }
            return
        }
        let c = content[j]
        switch c {
        case UInt8(ascii: "*"):
            entry.value = .alias
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            entry.value = .blockScalar
            var k = cursor
            while k < end {
                let line = lines.lines[k].content
                if line.isBlankLine || mask.templateOnly[k] || line.indentWidth > column {
                    if !line.isBlankLine && !mask.templateOnly[k] { entry.lastLine = k }
                    k += 1
                } else {
                    break
                }
            }
            cursor = entry.lastLine + 1
            return
        case UInt8(ascii: "{") where !(j + 1 < content.count && content[j + 1] == UInt8(ascii: "{")),
            UInt8(ascii: "["):
            let rest = Array(content[j...]).utf8String.trimmingBlanks
            try parseFlow(&entry, at: YAMLFlow.Position(line: i, column: j), cursor: &cursor, end: end)
            if case .flowMapping = entry.value, rest == "{}" || rest.hasPrefix("{} #") || rest.hasPrefix("{}\t#") {
                entry.value = .emptyFlowMapping(j..<(j + 2))
            }
            return
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if let close = closingQuote(content, from: j) {
                entry.value = .scalar(
                    ScalarSpan(
                        range: j..<(close + 1), style: c == UInt8(ascii: "\"") ? .doubleQuoted : .singleQuoted,
                        raw: Array(content[j...close]).utf8String))
            } else {
                entry.value = .multilineScalar
            }
        default:
            var k = j
            var depth = 0
            while k < content.count {
                if content[k] == UInt8(ascii: "{"), k + 1 < content.count, content[k + 1] == UInt8(ascii: "{") {
                    depth += 1
                    k += 2
                    continue
                }
                if content[k] == UInt8(ascii: "}"), k + 1 < content.count, content[k + 1] == UInt8(ascii: "}"),
                    depth > 0
                {
                    depth -= 1
                    k += 2
                    continue
                }
                if depth == 0, content[k] == UInt8(ascii: "#"), content[k - 1] == 32 || content[k - 1] == 9 { break }
                k += 1
            }
            while k > j, content[k - 1] == 32 || content[k - 1] == 9 { k -= 1 }
            entry.value = .scalar(ScalarSpan(range: j..<k, style: .plain, raw: Array(content[j..<k]).utf8String))
        }
        // Lines indented deeper than the key continue the inline value (multi-line plain or flow).
        if let next = nextContentLine(from: cursor, end: end), lines.lines[next].content.indentWidth > column {
            if case .scalar = entry.value { entry.value = .multilineScalar }
            var k = next
            while let n = nextContentLine(from: k, end: end), lines.lines[n].content.indentWidth > column {
                entry.lastLine = n
                k = n + 1
            }
            cursor = entry.lastLine + 1
        }
    }

    /// True when a flow collection (not a `{{` template) opens at `column`.
    private func opensFlow(_ content: [UInt8], at column: Int) -> Bool {
        column < content.count && (content[column] == UInt8(ascii: "[") || content[column] == UInt8(ascii: "{"))
            && !(column + 1 < content.count && content[column + 1] == UInt8(ascii: "{"))
    }

    /// Reads the flow collection opening at `start` as the entry's value, to the line where it closes.
    private func parseFlow(_ entry: inout Entry, at start: YAMLFlow.Position, cursor: inout Int, end: Int) throws {
        var scanner = YAMLFlowScanner(lines, mask: mask, at: start, endLine: end)
        let node: YAMLFlow.Node
        do {
            node = try scanner.collection()
        } catch let error as YAMLFlow.Unterminated {
            throw notYAML(error.line < end ? error.line : start.line, "a flow collection that never closes")
        }
        if case .mapping(let mapping) = node {
            entry.value = .flowMapping(mapping)
        } else {
            entry.value = .flowSequence
        }
        entry.lastLine = scanner.position.line
        cursor = max(cursor, scanner.position.line + 1)
    }

    private func consumeSequence(from first: Int, parentIndent: Int, cursor: inout Int, end: Int) -> Int {
        var last = first
        var k = first
        while let n = nextContentLine(from: k, end: end) {
            let content = lines.lines[n].content
            let column = content.indentWidth
            if column > parentIndent || (column == parentIndent && startsSequenceItem(content, at: column)) {
                last = n
                k = n + 1
                // A flow collection opened here may close on a line indented no deeper than the sequence.
                if let open = flowValueStart(content, from: column) {
                    var scanner = YAMLFlowScanner(
                        lines, mask: mask, at: YAMLFlow.Position(line: n, column: open), endLine: end)
                    if (try? scanner.collection()) != nil, scanner.position.line > n {
                        last = scanner.position.line
                        k = last + 1
                    }
                }
            } else {
                break
            }
        }
        cursor = last + 1
        return last
    }

    /// Where a flow collection starts as the value of a sequence line (`- [`, `- key: {`, `- - [`), if it does.
    private func flowValueStart(_ content: [UInt8], from column: Int) -> Int? {
        var j = column
        func skipBlanks() { while j < content.count, content[j] == 32 || content[j] == 9 { j += 1 } }
        while startsSequenceItem(content, at: j) {
            j += 1
            skipBlanks()
        }
        if opensFlow(content, at: j) { return j }
        // `key: [` on an item line: a plain or quoted key, then `: `.
        var k = j
        if k < content.count, content[k] == UInt8(ascii: "\"") || content[k] == UInt8(ascii: "'") {
            guard let close = closingQuote(content, from: k) else { return nil }
            k = close + 1
        }
        while k < content.count {
            if content[k] == UInt8(ascii: "#") && k > 0 && (content[k - 1] == 32 || content[k - 1] == 9) { return nil }
            if content[k] == UInt8(ascii: ":"), k + 1 < content.count, content[k + 1] == 32 || content[k + 1] == 9 {
                j = k + 1
                skipBlanks()
                return opensFlow(content, at: j) ? j : nil
            }
            k += 1
        }
        return nil
    }

    /// Index of the quote closing the quoted scalar that opens at `from`, on the same line.
    private func closingQuote(_ content: [UInt8], from: Int) -> Int? {
        Self.closingQuote(content[from], in: content, from: from + 1)
    }

    /// Index of the `quote` that closes a quoted scalar, searching from `start` (`\"` escapes in double quotes,
    /// `''` in single quotes).
    static func closingQuote(_ quote: UInt8, in content: [UInt8], from start: Int) -> Int? {
        var k = start
        while k < content.count {
            if quote == UInt8(ascii: "\"") && content[k] == UInt8(ascii: "\\") {
                k += 2
                continue
            }
            if content[k] == quote {
                if quote == UInt8(ascii: "'"), k + 1 < content.count, content[k + 1] == quote {
                    k += 2
                    continue
                }
                return k
            }
            k += 1
        }
        return nil
    }

    /// What a key path holds in the first document, as far as the outline alone can tell.
    enum Lookup: Equatable {
        case scalar(String)
        /// Absent, or null (which a values merge does not apply).
        case absent
        /// A Go template stands there: no literal value.
        case templated
        /// A collection, a block or multi-line scalar, an alias, or an escape the outline does not decode.
        case needsParse
    }

    /// The scalar at a key path of the first document, read without a YAML parse (a values file is mostly looked
    /// up for one setting, such as the namespace).
    func lookup(_ path: [String]) -> Lookup {
        guard let document = documents.first, !path.isEmpty else { return .absent }
        var entries = document.entries
        for (depth, key) in path.enumerated() {
            guard let entry = entries.last(where: { $0.key == key }) else {
                return entries.contains(where: \.keyTemplated) ? .needsParse : .absent
            }
            if entry.keyTemplated || mask.openBlock[entry.line] != nil { return .needsParse }
            let isTarget = depth == path.count - 1
            switch entry.value {
            case .scalar(let span):
                guard isTarget else { return .absent }
                if span.raw.contains("{{") { return .templated }
                switch span.style {
                case .plain:
                    return ["", "~", "null", "Null", "NULL"].contains(span.raw) ? .absent : .scalar(span.raw)
                case .singleQuoted:
                    return .scalar(Self.unquote(Array(span.raw.utf8)))
                case .doubleQuoted:
                    let inner = span.raw.dropFirst().dropLast()
                    return inner.contains("\\") ? .needsParse : .scalar(String(inner))
                }
            case .empty:
                return .absent
            case .mapping(let children, _):
                if isTarget { return .needsParse }
                entries = children
            default:
                return .needsParse
            }
        }
        return .absent
    }

    /// The text of a quoted key or scalar.
    static func unquote(_ bytes: [UInt8]) -> String {
        let s = bytes.utf8String
        guard s.count >= 2 else { return s }
        let inner = String(s.dropFirst().dropLast())
        if s.hasPrefix("'") { return inner.replacing("''", with: "'") }
        return inner.replacing("\\\"", with: "\"").replacing("\\\\", with: "\\")
    }

    /// The most common step between a key's column and its children's (2 when the file has no nesting).
    private(set) var indentUnit = 2

    private static func commonIndentStep(_ documents: [Document]) -> Int {
        var counts: [Int: Int] = [:]
        func visit(_ entries: [Entry]) {
            for entry in entries {
                if case .mapping(let children, let indent) = entry.value {
                    counts[indent - entry.indent, default: 0] += 1
                    visit(children)
                }
            }
        }
        for document in documents { visit(document.entries) }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 2
    }
}
