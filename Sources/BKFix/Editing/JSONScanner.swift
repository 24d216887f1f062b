import Foundation

/// A strict RFC 8259 scanner that records where each top-level member of an object starts and ends, and reports
/// the first error (comment, trailing comma, bad token) with its line and column.
struct JSONScanner {
    let bytes: [UInt8]
    let file: String
    var pos = 0
    /// Where the last ',' was, so a trailing comma is reported at the comma itself.
    var lastComma = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    struct TopLevel {
        var open: Int
        var close: Int
        var members: [JSONSplice.Member]
    }

    /// Scans the whole document, which must be one object surrounded only by whitespace.
    mutating func scanTopLevelObject() throws -> TopLevel {
        skipBOM()
        try skipWhitespace()
        guard pos < bytes.count else { throw error("the file is empty; expected an object") }
        guard bytes[pos] == UInt8(ascii: "{") else {
            if bytes[pos] == UInt8(ascii: "[") || isValueStart(bytes[pos]) {
                throw JSONSpliceError.notAnObject(file: file)
            }
            throw error("expected '{'")
        }
        let open = pos
        pos += 1
        var members: [JSONSplice.Member] = []
        try skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            let close = pos
            pos += 1
            try expectEnd()
            return TopLevel(open: open, close: close, members: [])
        }
        while true {
            try skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                if peek() == UInt8(ascii: "}") { throw error("trailing comma before '}'", at: lastComma) }
                throw error("expected a key in double quotes")
            }
            let keyStart = pos
            let line = position(of: keyStart).line
            let key = try scanString()
            try skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            pos += 1
            try skipWhitespace()
            let valueStart = pos
            try scanValue()
            members.append(
                JSONSplice.Member(key: key, keyStart: keyStart, valueStart: valueStart, valueEnd: pos, line: line))
            try skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                lastComma = pos
                pos += 1
            case UInt8(ascii: "}"):
                let close = pos
                pos += 1
                try expectEnd()
                return TopLevel(open: open, close: close, members: members)
            case nil: throw error("unexpected end of file; expected ',' or '}'")
            default: throw error("expected ',' or '}'")
            }
        }
    }

    /// The offset just after the string literal starting at `from` (which must be valid).
    static func endOfString(_ bytes: [UInt8], from: Int) -> Int {
        var i = from + 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if bytes[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return bytes.count
    }

    // MARK: - Values

    private mutating func scanValue() throws {
        guard let c = peek() else { throw error("unexpected end of file; expected a value") }
        switch c {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"): try scanContainer(close: UInt8(ascii: "}"), isObject: true)
        case UInt8(ascii: "["): try scanContainer(close: UInt8(ascii: "]"), isObject: false)
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        case UInt8(ascii: "'"): throw error("single quotes are not JSON; use double quotes")
        default: throw error("unexpected character '\(Character(UnicodeScalar(c)))'")
        }
    }

    private mutating func scanContainer(close: UInt8, isObject: Bool) throws {
        pos += 1
        try skipWhitespace()
        if peek() == close {
            pos += 1
            return
        }
        while true {
            try skipWhitespace()
            if isObject {
                guard peek() == UInt8(ascii: "\"") else {
                    if peek() == close { throw error("trailing comma before '}'", at: lastComma) }
                    throw error("expected a key in double quotes")
                }
                _ = try scanString()
                try skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw error("expected ':'") }
                pos += 1
                try skipWhitespace()
            } else if peek() == close {
                throw error("trailing comma before ']'", at: lastComma)
            }
            try scanValue()
            try skipWhitespace()
            guard let c = peek() else { throw error("unexpected end of file") }
            if c == UInt8(ascii: ",") {
                lastComma = pos
                pos += 1
            } else if c == close {
                pos += 1
                return
            } else {
                throw error("expected ',' or '\(Character(UnicodeScalar(close)))'")
            }
        }
    }

    private mutating func scanString() throws -> String {
        let start = pos
        pos += 1
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                let literal = Data(bytes[start..<pos])
                guard let s = try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed) as? String
                else {
                    pos = start
                    throw error("invalid string literal")
                }
                return s
            }
            if c == UInt8(ascii: "\\") {
                pos += 2
                continue
            }
            if c < 0x20 {
                throw error(
                    c == UInt8(ascii: "\n")
                        ? "unterminated string (newline inside quotes)" : "control character in string")
            }
            pos += 1
        }
        pos = start
        throw error("unterminated string")
    }

    private mutating func scanLiteral(_ word: String) throws {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, Array(bytes[pos..<(pos + w.count)]) == w else {
            throw error("unexpected token; expected \(word)")
        }
        pos += w.count
    }

    private mutating func scanNumber() throws {
        let start = pos
        if peek() == UInt8(ascii: "-") { pos += 1 }
        guard let first = peek(), isDigit(first) else { throw error("invalid number") }
        if first == UInt8(ascii: "0") {
            pos += 1
            if let next = peek(), isDigit(next) { throw error("leading zero in number") }
        } else {
            while let d = peek(), isDigit(d) { pos += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            pos += 1
            guard let d = peek(), isDigit(d) else { throw error("invalid number") }
            while let d = peek(), isDigit(d) { pos += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            pos += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { pos += 1 }
            guard let d = peek(), isDigit(d) else { throw error("invalid number exponent") }
            while let d = peek(), isDigit(d) { pos += 1 }
        }
        if pos == start { throw error("invalid number") }
    }

    // MARK: - Whitespace and positions

    private mutating func skipWhitespace() throws {
        while let c = peek() {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): pos += 1
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON")
            case UInt8(ascii: "#"): throw error("comments are not allowed in JSON")
            default: return
            }
        }
    }

    private mutating func skipBOM() {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { pos = 3 }
    }

    private mutating func expectEnd() throws {
        try skipWhitespace()
        if pos < bytes.count { throw error("unexpected content after the closing '}'") }
    }

    private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private func isValueStart(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "\"") || c == UInt8(ascii: "-") || isDigit(c) || c == UInt8(ascii: "t")
            || c == UInt8(ascii: "f") || c == UInt8(ascii: "n")
    }

    /// 1-based line and column (in characters, a tab counts as one) of a byte offset.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (line, column)
    }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONSpliceError {
        let p = position(of: offset ?? pos)
        return .invalidJSON(file: file, line: p.line, column: p.column, reason: reason)
    }
}
