import Foundation

/// A flow collection (`{a: 1, b: [x, y]}`, on one line or several) with the byte position of every key and scalar,
/// so the editor can set a scalar in place or insert a key, and otherwise knows where the collection ends.
enum YAMLFlow {
    /// A byte position: 0-based line, byte offset in that line's content.
    struct Position: Equatable, Comparable {
        var line: Int
        var column: Int

        static func < (a: Position, b: Position) -> Bool { (a.line, a.column) < (b.line, b.column) }
    }

    /// What a flow node holds, as far as the editor cares.
    indirect enum Node: Equatable {
        case scalar(line: Int, span: YAMLOutline.ScalarSpan)
        case mapping(Mapping)
        case sequence(close: Position)
        /// `{a: }` or `{a}`: nothing; a value goes in at `insertAt` (after `:`), or `: value` after the key.
        case empty(insertAt: Position, hasColon: Bool)
        case alias
        /// A scalar that continues on the next line (plain or quoted).
        case multilineScalar
        /// A Go template that spans lines.
        case multilineTemplate(line: Int)
        /// Something the editor does not take apart; edits inside are refused with this reason.
        case opaque(line: Int, reason: String)
    }

    struct Entry: Equatable {
        var key: String
        var keyLine: Int
        var keyColumn: Int
        var keyTemplated: Bool
        var value: Node
        /// Just past the entry's last byte (its value, or its key when there is no value).
        var end: Position
    }

    struct Mapping: Equatable {
        var open: Position
        /// The closing `}`.
        var close: Position
        var entries: [Entry]
        /// A comma after the last entry: `{a: 1, }`.
        var trailingComma: Bool
        /// A space right after `{` (`{ a: 1 }`): new nested mappings are written the same way.
        var padded: Bool
        /// A Go template between the entries, which may emit keys: no key is inserted next to it.
        var templateLine: Int?
        /// Something after an entry that is neither `,` nor `}`: the mapping is not taken apart further.
        var problemLine: Int?
    }

    /// Thrown when a collection never closes before the end of the document: the file is not YAML.
    struct Unterminated: Error {
        var line: Int
    }
}

/// Reads a flow collection from its opening bracket, across lines, with Go templates (`{{ ... }}`) kept opaque.
struct YAMLFlowScanner {
    private let lines: YAMLLines
    private let mask: YAMLTemplateMask
    /// One past the last line the collection may use (the document's end).
    private let endLine: Int
    private(set) var position: YAMLFlow.Position
    /// Set when a template-only line or an inline template sits between entries.
    private var templateLine: Int?

    init(_ lines: YAMLLines, mask: YAMLTemplateMask, at position: YAMLFlow.Position, endLine: Int) {
        self.lines = lines
        self.mask = mask
        self.position = position
        self.endLine = endLine
    }

    /// Parses the collection whose `{` or `[` is at the current position; leaves the position after its close.
    mutating func collection() throws -> YAMLFlow.Node {
        byte == UInt8(ascii: "{") ? .mapping(try mapping()) : try sequence()
    }

    // MARK: - Bytes

    private var content: [UInt8] { lines.lines[position.line].content }

    /// The byte at the position, nil at the end of a line.
    private var byte: UInt8? {
        let c = content
        return position.column < c.count ? c[position.column] : nil
    }

    private func byte(at offset: Int) -> UInt8? {
        let c = content
        let i = position.column + offset
        return i < c.count ? c[i] : nil
    }

    private static func isBlank(_ b: UInt8?) -> Bool { b == 32 || b == 9 }

    private static func isFlowIndicator(_ b: UInt8?) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b == UInt8(ascii: "{")
            || b == UInt8(ascii: "}")
    }

    /// The template span starting at the position, if any.
    private var templateHere: Range<Int>? {
        mask.spans[position.line].first { $0.lowerBound == position.column }
    }

    /// Skips blanks, line ends and comments; a template-only line is noted (it may emit entries).
    private mutating func skipSpace() throws {
        while true {
            while Self.isBlank(byte) { position.column += 1 }
            if let b = byte, b != UInt8(ascii: "#") { return }
            // End of line, or a comment (only ever after a blank or at the line start, as skipped above).
            position.line += 1
            position.column = 0
            guard position.line < endLine else { throw YAMLFlow.Unterminated(line: position.line) }
            if mask.templateOnly[position.line] && templateLine == nil { templateLine = position.line }
            if mask.templateOnly[position.line] {
                position.column = content.count
            }
        }
    }

    // MARK: - Collections

    private mutating func mapping() throws -> YAMLFlow.Mapping {
        let open = position
        position.column += 1
        let padded = Self.isBlank(byte)
        var entries: [YAMLFlow.Entry] = []
        var trailingComma = false
        let outerTemplateLine = templateLine
        templateLine = nil
        var problemLine: Int?
        while true {
            try skipSpace()
            if byte == UInt8(ascii: "}") { break }
            trailingComma = false
            entries.append(try entry())
            try skipSpace()
            if byte == UInt8(ascii: ",") {
                position.column += 1
                trailingComma = true
            } else if byte != UInt8(ascii: "}") {
                problemLine = position.line
                try skipToClose(UInt8(ascii: "}"))
                break
            }
        }
        let mappingTemplateLine = templateLine
        templateLine = outerTemplateLine
        let close = position
        position.column += 1
        return YAMLFlow.Mapping(
            open: open, close: close, entries: entries, trailingComma: trailingComma, padded: padded,
            templateLine: mappingTemplateLine, problemLine: problemLine)
    }

    private mutating func sequence() throws -> YAMLFlow.Node {
        position.column += 1
        let outer = templateLine
        while true {
            try skipSpace()
            if byte == UInt8(ascii: "]") { break }
            _ = try node()
            try skipSpace()
            if byte == UInt8(ascii: ":") {  // a single-pair mapping item: `[a: 1]`
                position.column += 1
                try skipSpace()
                if byte != UInt8(ascii: ",") && byte != UInt8(ascii: "]") { _ = try node() }
                try skipSpace()
            }
            if byte == UInt8(ascii: ",") {
                position.column += 1
            } else if byte != UInt8(ascii: "]") {
                try skipToClose(UInt8(ascii: "]"))
                break
            }
        }
        templateLine = outer
        let close = position
        position.column += 1
        return .sequence(close: close)
    }

    /// Skips to the bracket closing the current collection, counting nested brackets outside quotes and templates.
    private mutating func skipToClose(_ closing: UInt8) throws {
        var depth = 0
        while true {
            try skipSpace()
            if let span = templateHere {
                position.column = span.upperBound
                continue
            }
            guard let b = byte else { continue }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                _ = try quoted()
                continue
            }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
            if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                if depth == 0 { return }
                depth -= 1
            }
            position.column += 1
        }
    }

    // MARK: - Entries and nodes

    private mutating func entry() throws -> YAMLFlow.Entry {
        let keyLine = position.line
        let keyColumn = position.column
        if byte == UInt8(ascii: "?") && (Self.isBlank(byte(at: 1)) || byte(at: 1) == nil) {
            try skipEntry()
            return YAMLFlow.Entry(
                key: "", keyLine: keyLine, keyColumn: keyColumn, keyTemplated: true,
                value: .opaque(line: keyLine, reason: "complex mapping keys are not supported"), end: position)
        }
        var key = ""
        var keyTemplated = false
        switch try node(isKey: true) {
        case .scalar(_, let span):
            key = span.style == .plain ? span.raw : YAMLOutline.unquote(Array(span.raw.utf8))
            keyTemplated = span.raw.contains("{{")
        default:
            keyTemplated = true  // a collection or alias as a key: nothing a path can name
        }
        let afterKey = position
        while Self.isBlank(byte) { position.column += 1 }
        guard byte == UInt8(ascii: ":") else {
            position = afterKey
            return YAMLFlow.Entry(
                key: key, keyLine: keyLine, keyColumn: keyColumn, keyTemplated: keyTemplated,
                value: .empty(insertAt: afterKey, hasColon: false), end: afterKey)
        }
        position.column += 1
        let afterColon = position
        try skipSpace()
        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") {
            return YAMLFlow.Entry(
                key: key, keyLine: keyLine, keyColumn: keyColumn, keyTemplated: keyTemplated,
                value: .empty(insertAt: afterColon, hasColon: true), end: afterColon)
        }
        let value = try node()
        return YAMLFlow.Entry(
            key: key, keyLine: keyLine, keyColumn: keyColumn, keyTemplated: keyTemplated, value: value, end: position)
    }

    /// Skips an entry the editor does not take apart, up to its `,` or the closing `}`.
    private mutating func skipEntry() throws {
        while true {
            try skipSpace()
            guard let b = byte else { continue }
            if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") { return }
            _ = try node()
        }
    }

    /// One node: a nested collection, an alias, a quoted or plain scalar (node properties skipped).
    private mutating func node(isKey: Bool = false) throws -> YAMLFlow.Node {
        // Anchors and tags before the node.
        while byte == UInt8(ascii: "&") || byte == UInt8(ascii: "!") {
            while let b = byte, !Self.isBlank(b), !Self.isFlowIndicator(b) { position.column += 1 }
            try skipSpace()
        }
        guard let b = byte else { throw YAMLFlow.Unterminated(line: position.line) }
        if templateHere == nil && (b == UInt8(ascii: "{") || b == UInt8(ascii: "[")) { return try collection() }
        if b == UInt8(ascii: "*") {
            while let c = byte, !Self.isBlank(c), !Self.isFlowIndicator(c) { position.column += 1 }
            return .alias
        }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { return try quoted() }
        return try plain(isKey: isKey)
    }

    private mutating func quoted() throws -> YAMLFlow.Node {
        let line = position.line
        let start = position.column
        let quote = content[start]
        if let close = YAMLOutline.closingQuote(quote, in: content, from: start + 1) {
            position.column = close + 1
            return .scalar(
                line: line,
                span: YAMLOutline.ScalarSpan(
                    range: start..<(close + 1), style: quote == UInt8(ascii: "\"") ? .doubleQuoted : .singleQuoted,
                    raw: Array(content[start...close]).utf8String))
        }
        // The quote closes on a later line: find it to move on, but the scalar is not edited in place.
        while true {
            position.line += 1
            guard position.line < endLine else { throw YAMLFlow.Unterminated(line: line) }
            if let close = YAMLOutline.closingQuote(quote, in: content, from: 0) {
                position.column = close + 1
                return .multilineScalar
            }
        }
    }

    /// A plain scalar: up to a flow indicator, `: ` (or `:` before an indicator), ` #`, or the end of the line.
    private mutating func plain(isKey: Bool) throws -> YAMLFlow.Node {
        let line = position.line
        let start = position.column
        var end = start
        var spansLines = false
        while let b = byte {
            if let span = templateHere {
                if closesOnLine(span) {
                    position.column = span.upperBound
                } else {
                    try skipTemplateLines()
                    spansLines = true
                }
                end = position.column
                continue
            }
            if Self.isFlowIndicator(b) { break }
            if b == UInt8(ascii: ":") {
                let next = byte(at: 1)
                if next == nil || Self.isBlank(next) || Self.isFlowIndicator(next) { break }
            }
            if Self.isBlank(b) && byte(at: 1) == UInt8(ascii: "#") { break }
            position.column += 1
            if !Self.isBlank(b) { end = position.column }
        }
        position.column = end
        if spansLines { return .multilineTemplate(line: line) }
        let raw = Array(content[start..<end]).utf8String
        // A plain scalar may continue on the next line (folded): not edited in place.
        if byte == nil && !isKey, let next = nextContentLine(), continuesPlain(next) {
            try skipSpace()
            _ = try plain(isKey: false)
            return .multilineScalar
        }
        return .scalar(line: line, span: YAMLOutline.ScalarSpan(range: start..<end, style: .plain, raw: raw))
    }

    /// Moves past a template that does not close on its first line, to just after its `}}`.
    private mutating func skipTemplateLines() throws {
        while true {
            position.line += 1
            position.column = 0
            guard position.line < endLine else { throw YAMLFlow.Unterminated(line: position.line) }
            if let span = mask.spans[position.line].first, span.lowerBound == 0, closesOnLine(span) {
                position.column = span.upperBound
                return
            }
        }
    }

    /// True when the template span ends with its `}}` on this line (a span cut at the line end has none).
    private func closesOnLine(_ span: Range<Int>) -> Bool {
        let c = content
        return span.count >= 2 && c[span.upperBound - 1] == UInt8(ascii: "}")
            && c[span.upperBound - 2] == UInt8(ascii: "}")
    }

    private func nextContentLine() -> Int? {
        var i = position.line + 1
        while i < endLine {
            let c = lines.lines[i].content
            let first = c.firstIndex { $0 != 32 && $0 != 9 }
            if let first, c[first] != UInt8(ascii: "#"), !mask.templateOnly[i] { return i }
            i += 1
        }
        return nil
    }

    /// True when the first byte of line `index` goes on a plain scalar rather than starting the next token.
    private func continuesPlain(_ index: Int) -> Bool {
        let c = lines.lines[index].content
        guard let first = c.firstIndex(where: { $0 != 32 && $0 != 9 }) else { return false }
        let b = c[first]
        if Self.isFlowIndicator(b) || b == UInt8(ascii: "#") { return false }
        if b == UInt8(ascii: ":") {
            let next = first + 1 < c.count ? c[first + 1] : nil
            if next == nil || Self.isBlank(next) || Self.isFlowIndicator(next) { return false }
        }
        return true
    }
}
