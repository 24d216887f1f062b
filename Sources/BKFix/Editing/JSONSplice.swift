import Foundation

/// Why a JSON file cannot be edited: the position is 1-based line and column (in characters) of the problem.
public enum JSONSpliceError: LocalizedError, Equatable {
    case invalidJSON(file: String, line: Int, column: Int, reason: String)
    case notAnObject(file: String)
    case duplicateKey(file: String, key: String, line: Int)
    case badValue(key: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalidJSON(let file, let line, let column, let reason):
            return "\(file):\(line):\(column): invalid JSON: \(reason); fix the file by hand, nothing was written"
        case .notAnObject(let file):
            return "\(file): the top level is not a JSON object ({ ... }); nothing was written"
        case .duplicateKey(let file, let key, let line):
            return "\(file):\(line): key \"\(key)\" appears more than once at the top level; remove the duplicate"
        case .badValue(let key, let reason):
            return "value for \"\(key)\" is not valid JSON: \(reason)"
        }
    }
}

/// Sets one top-level key of a JSON object file, changing only the bytes of that member (or inserting it) so
/// that the other keys, their order, the indentation style and any final newline stay as they were.
public struct JSONSplice: Sendable {
    /// The indentation the file uses for its top-level members.
    public enum Style: Sendable, Equatable {
        /// Members on their own lines, indented by this unit ("  ", "    ", "\t").
        case multiLine(indent: String)
        /// The whole object on one line.
        case oneLine
    }

    /// The byte range of one top-level member: from its key's opening quote to the end of its value.
    struct Member {
        var key: String
        var keyStart: Int
        var valueStart: Int
        var valueEnd: Int
        var line: Int
    }

    public let file: String
    let bytes: [UInt8]
    let members: [Member]
    /// Offset of the top-level `{` and `}`.
    let openBrace: Int
    let closeBrace: Int
    public let style: Style
    /// `\r\n` when the file uses CRLF line ends, else `\n`.
    let newline: String
    /// The text between a key and its value (e.g. `": "`), copied from the first member.
    let keyValueSeparator: String

    /// Parses `data` (the content of `file`, used in messages) strictly: comments and trailing commas are refused.
    public init(file: String, data: Data) throws {
        self.file = file
        self.bytes = [UInt8](data)
        self.newline = data.range(of: Data("\r\n".utf8)) != nil ? "\r\n" : "\n"
        var scanner = JSONScanner(bytes: bytes, file: file)
        let top = try scanner.scanTopLevelObject()
        self.members = top.members
        self.openBrace = top.open
        self.closeBrace = top.close
        var seen: [String: Int] = [:]
        for m in top.members {
            if seen[m.key] != nil { throw JSONSpliceError.duplicateKey(file: file, key: m.key, line: m.line) }
            seen[m.key] = m.line
        }
        // Foundation is the referee: what we accept must be JSON it accepts too.
        if (try? JSONSerialization.jsonObject(with: data)) == nil {
            throw JSONSpliceError.invalidJSON(file: file, line: 1, column: 1, reason: "not accepted by the JSON parser")
        }
        if let first = top.members.first {
            // Bytes, not Characters: in a CRLF file "\r\n" is one Character and would hide the line break.
            let leading = bytes[(openBrace + 1)..<first.keyStart]
            if let lf = leading.lastIndex(of: UInt8(ascii: "\n")) {
                self.style = .multiLine(indent: String(decoding: bytes[(lf + 1)..<first.keyStart], as: UTF8.self))
            } else {
                self.style = .oneLine
            }
            let keyEnd = JSONScanner.endOfString(bytes, from: first.keyStart)
            self.keyValueSeparator = String(decoding: bytes[keyEnd..<first.valueStart], as: UTF8.self)
        } else {
            self.style =
                bytes[(openBrace + 1)..<closeBrace].contains(UInt8(ascii: "\n")) ? .multiLine(indent: "  ") : .oneLine
            self.keyValueSeparator = ": "
        }
    }

    /// The top-level keys in file order.
    public var keys: [String] { members.map(\.key) }

    /// The current value of a top-level key, decoded by Foundation (nil when absent).
    public func currentValue(of key: String) -> Any? {
        guard let m = members.first(where: { $0.key == key }) else { return nil }
        return try? JSONSerialization.jsonObject(
            with: Data(bytes[m.valueStart..<m.valueEnd]), options: .fragmentsAllowed)
    }

    /// The file bytes with `key` set to `value` (any JSONSerialization-compatible value).
    /// Returns the original bytes when the key already holds an equal value.
    public func setting(_ key: String, to value: Any) throws -> Data {
        guard JSONSerialization.isValidJSONObject([value]) else {
            throw JSONSpliceError.badValue(key: key, reason: "not representable in JSON")
        }
        if let current = currentValue(of: key), JSONSplice.equal(current, value) { return Data(bytes) }
        var out = bytes
        if let m = members.first(where: { $0.key == key }) {
            let existing = String(decoding: bytes[m.valueStart..<m.valueEnd], as: UTF8.self)
            let lineIndent = indentOfLine(containing: m.keyStart)
            let multi: Bool
            if existing.unicodeScalars.contains("\n") {
                multi = true
            } else if existing.hasPrefix("[") || existing.hasPrefix("{") {
                multi = existing.count <= 2 ? isMultiLineStyle : false
            } else {
                multi = isMultiLineStyle
            }
            let rendered = JSONRender.render(
                value, indent: multi ? unit : nil, base: lineIndent, compactSpace: spaced, newline: newline)
            out.replaceSubrange(m.valueStart..<m.valueEnd, with: Array(rendered.utf8))
        } else {
            let rendered = JSONRender.render(
                value, indent: isMultiLineStyle ? unit : nil, base: memberIndent, compactSpace: spaced,
                newline: newline)
            let member = JSONRender.string(key) + keyValueSeparator + rendered
            if let last = members.last {
                let insertion: String
                switch style {
                case .multiLine(let indent): insertion = "," + newline + indent + member
                case .oneLine: insertion = "," + (spaced ? " " : "") + member
                }
                out.insert(contentsOf: Array(insertion.utf8), at: last.valueEnd)
            } else {
                let insertion: String
                switch style {
                case .multiLine(let indent): insertion = "{" + newline + indent + member + newline + "}"
                case .oneLine: insertion = "{" + member + "}"
                }
                out.replaceSubrange(openBrace...closeBrace, with: Array(insertion.utf8))
            }
        }
        let result = Data(out)
        guard (try? JSONSerialization.jsonObject(with: result)) != nil else {
            throw JSONSpliceError.badValue(key: key, reason: "the edited file would not parse")
        }
        return result
    }

    /// A new file holding only `key: value`, in 2-space style with a final newline.
    public static func newFile(key: String, value: Any) throws -> Data {
        guard JSONSerialization.isValidJSONObject([value]) else {
            throw JSONSpliceError.badValue(key: key, reason: "not representable in JSON")
        }
        let body = JSONRender.render(value, indent: "  ", base: "  ", compactSpace: true)
        return Data(("{\n  " + JSONRender.string(key) + ": " + body + "\n}\n").utf8)
    }

    private var isMultiLineStyle: Bool {
        if case .multiLine = style { return true }
        return false
    }

    /// The indentation unit for nested values.
    private var unit: String {
        if case .multiLine(let indent) = style, !indent.isEmpty { return indent }
        return "  "
    }

    private var memberIndent: String {
        if case .multiLine(let indent) = style { return indent }
        return ""
    }

    /// Whether the file puts a space after `:` (one-line files then also get `, ` between items).
    private var spaced: Bool { keyValueSeparator.hasSuffix(" ") || keyValueSeparator.isEmpty }

    private func indentOfLine(containing offset: Int) -> String {
        var start = offset
        while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = start
        while end < bytes.count && (bytes[end] == UInt8(ascii: " ") || bytes[end] == UInt8(ascii: "\t")) { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// Semantic equality of two decoded JSON values.
    static func equal(_ a: Any, _ b: Any) -> Bool {
        let wrapA = try? JSONSerialization.data(withJSONObject: [a], options: .sortedKeys)
        let wrapB = try? JSONSerialization.data(withJSONObject: [b], options: .sortedKeys)
        return wrapA != nil && wrapA == wrapB
    }
}

/// Renders JSON values the way a person would write them in daemon.json.
enum JSONRender {
    /// `indent` nil renders on one line; otherwise containers open one item per line, nested under `base`.
    static func render(
        _ value: Any, indent: String?, base: String, compactSpace: Bool, newline: String = "\n"
    ) -> String {
        switch value {
        case let s as String: return string(s)
        case let n as NSNumber: return number(n)
        case is NSNull: return "null"
        case let list as [Any]:
            if list.isEmpty { return "[]" }
            guard let indent else {
                return "["
                    + list.map { render($0, indent: nil, base: base, compactSpace: compactSpace, newline: newline) }
                    .joined(separator: compactSpace ? ", " : ",") + "]"
            }
            let inner = base + indent
            return "[" + newline
                + list.map {
                    inner + render($0, indent: indent, base: inner, compactSpace: compactSpace, newline: newline)
                }
                .joined(separator: "," + newline) + newline + base + "]"
        case let map as [String: Any]:
            if map.isEmpty { return "{}" }
            let keys = map.keys.sorted()
            guard let indent else {
                return "{"
                    + keys.map {
                        string($0) + (compactSpace ? ": " : ":")
                            + render(map[$0]!, indent: nil, base: base, compactSpace: compactSpace, newline: newline)
                    }.joined(separator: compactSpace ? ", " : ",") + "}"
            }
            let inner = base + indent
            return "{" + newline
                + keys.map {
                    inner + string($0) + ": "
                        + render(map[$0]!, indent: indent, base: inner, compactSpace: compactSpace, newline: newline)
                }.joined(separator: "," + newline) + newline + base + "}"
        default:
            return "null"
        }
    }

    static func number(_ n: NSNumber) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [n])) ?? Data("[0]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    /// A JSON string literal; `/` is left alone so URLs stay readable.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension JSONSpliceError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .invalidJSON, .notAnObject, .duplicateKey, .badValue: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .invalidJSON, .notAnObject, .duplicateKey: return "bad-json-file"
        case .badValue: return "bad-parameter"
        }
    }
}
