import Foundation

/// A text split into lines that keeps every byte: each line's content and its own terminator.
struct YAMLLines: Equatable {
    struct Line: Equatable {
        var content: [UInt8]
        /// `\n`, `\r\n`, or empty for a last line without a final newline.
        var terminator: [UInt8]
    }

    var lines: [Line]

    init(_ text: String) {
        var result: [Line] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") {
                    current.removeLast()
                    result.append(Line(content: current, terminator: [13, 10]))
                } else {
                    result.append(Line(content: current, terminator: [10]))
                }
                current = []
            } else {
                current.append(byte)
            }
        }
        if !current.isEmpty { result.append(Line(content: current, terminator: [])) }
        lines = result
    }

    /// The line ending the file mostly uses (`\n` when it has none).
    var preferredTerminator: [UInt8] {
        let crlf = lines.filter { $0.terminator == [13, 10] }.count
        let lf = lines.filter { $0.terminator == [10] }.count
        return crlf > lf ? [13, 10] : [10]
    }

    var text: String {
        var bytes: [UInt8] = []
        for line in lines { bytes += line.content + line.terminator }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Leading spaces.
    var indentWidth: Int { prefix(while: { $0 == UInt8(ascii: " ") }).count }

    var isBlankLine: Bool { allSatisfy { $0 == 32 || $0 == 9 } }

    var utf8String: String { String(decoding: self, as: UTF8.self) }
}

extension UnsafeRawBufferPointer {
    /// Offset of the first occurrence of `needle` at or after `from`: memchr for its first byte, memcmp for the rest.
    func firstOffset(of needle: [UInt8], from: Int = 0) -> Int? {
        guard let first = needle.first, let base = baseAddress, from >= 0, needle.count <= count - from else {
            return nil
        }
        let lastStart = count - needle.count
        return needle.withUnsafeBytes { n in
            var offset = from
            while offset <= lastStart {
                guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                offset = at + 1
            }
            return nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation, so the editor starts fast).
    var trimmingBlanks: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }),
            let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
