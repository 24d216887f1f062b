import Foundation

/// One normalized line as bytes, with the few ways `ContextReader` takes it apart (tokens, table cells, the value
/// after a literal); Strings are made only for what is returned.
struct ByteLine {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    private func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }

    /// The whole line without leading and trailing blanks.
    var trimmed: String {
        var start = 0
        var end = bytes.count
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        return string(start, end)
    }

    /// Whitespace-separated words.
    var tokens: [String] {
        var out: [String] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            let start = i
            while i < bytes.count, !Self.isSpace(bytes[i]) { i += 1 }
            if i > start { out.append(string(start, i)) }
        }
        return out
    }

    /// Table cells, separated by a tab or by two spaces or more, with their start offsets (a header's columns).
    var cells: [(text: String, start: Int)] {
        var out: [(String, Int)] = []
        var i = 0
        while i < bytes.count {
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            let start = i
            var end = i
            while i < bytes.count {
                if bytes[i] == 0x09 { break }
                if bytes[i] == 0x20 {
                    if i + 1 < bytes.count, Self.isSpace(bytes[i + 1]) { break }
                    if i + 1 == bytes.count { break }
                }
                i += 1
                end = i
            }
            if end > start { out.append((string(start, end), start)) }
        }
        return out
    }

    /// The trimmed text of a row between two column offsets; nil when `from` is not where a cell starts.
    func cell(from: Int, to: Int) -> String? {
        guard from < bytes.count else { return "" }
        guard from == 0 || Self.isSpace(bytes[from - 1]) else { return nil }
        var start = from
        var end = min(to, bytes.count)
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        return string(start, end)
    }

    /// Every start offset just after an occurrence of `literal`.
    private func ends(of literal: StaticString) -> [Int] {
        let needle = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        guard needle.count > 0, needle.count <= bytes.count else { return [] }
        var out: [Int] = []
        var i = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0], memcmp(bytes.baseAddress! + i, needle.baseAddress!, needle.count) == 0 {
                out.append(i + needle.count)
                i += needle.count
            } else {
                i += 1
            }
        }
        return out
    }

    /// The word after each `literal` (up to a blank, `,`, `;`, `:`, a quote or a bracket); with `wordStart`, only where
    /// the literal starts a word.
    func values(after literal: StaticString, wordStart: Bool = false) -> [String] {
        ends(of: literal).compactMap { start in
            let literalStart = start - literal.utf8CodeUnitCount
            if wordStart, literalStart > 0, ![0x20, 0x09, 0x2C, 0x28, 0x7B].contains(bytes[literalStart - 1]) {
                return nil
            }
            var end = start
            while end < bytes.count, !Self.isSpace(bytes[end]),
                ![0x2C, 0x3B, 0x22, 0x27, 0x29, 0x5D, 0x7D].contains(bytes[end])
            {
                end += 1
            }
            if end > start, bytes[end - 1] == 0x3A { end -= 1 }
            return end > start ? string(start, end) : nil
        }
    }

    /// The text between each `literal` (ending in a quote) and the next quote, with what follows it on the line.
    func quoted(after literal: StaticString) -> [(String, rest: String)] {
        ends(of: literal).compactMap { start in
            var end = start
            while end < bytes.count, bytes[end] != 0x22 { end += 1 }
            guard end < bytes.count, end > start else { return nil }
            return (string(start, end), string(end + 1, min(bytes.count, end + 1 + 48)))
        }
    }
}
