import Foundation

/// Reads a hosts file line by line in one forward pass over its bytes, without copying a line: each line's byte
/// offsets, and for a mapping line its words (the address first, then the names). A line whose first word is not an
/// IP address is an error naming the line.
struct HostsFileScanner {
    /// One line: `start..<bodyEnd` without its ending, `bodyEnd..<end` the ending (`\n`, `\r\n` or none).
    struct Line {
        var number: Int
        var start: Int
        var bodyEnd: Int
        var end: Int
        /// True for a mapping line (not blank, not a comment); its words are in `tokens`.
        var isEntry: Bool
    }

    /// A word of a mapping line and its byte range in the file.
    struct Token {
        var range: Range<Int>
        /// Where the whitespace before the word starts.
        var gapStart: Int
    }

    private let bytes: UnsafeRawBufferPointer
    private let path: String
    private var offset = 0
    private var number = 0
    /// The words of the current line, valid until the next call of `next()`.
    private(set) var tokens: [Token] = []
    /// The last address that validated: a blocklist repeats `0.0.0.0` on every line.
    private var lastValidAddress: [UInt8] = []

    /// Refuses content with NUL bytes: that is not a hosts file.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        if let base = bytes.baseAddress, memchr(base, 0, bytes.count) != nil {
            throw HostsFileError.binary(path: path)
        }
        self.bytes = bytes
        self.path = path
        tokens.reserveCapacity(8)
    }

    /// The next line, or nil at the end.
    mutating func next() throws -> Line? {
        guard offset < bytes.count, let base = bytes.baseAddress else { return nil }
        let start = offset
        var bodyEnd = bytes.count
        var end = bytes.count
        if let newline = memchr(base + start, 0x0A, bytes.count - start) {
            end = base.distance(to: UnsafeRawPointer(newline)) + 1
            bodyEnd = end - 1
            if bodyEnd > start && bytes[bodyEnd - 1] == 0x0D { bodyEnd -= 1 }
        }
        offset = end
        number += 1
        // One pass over the line: words split on blanks, up to a `#`, which starts a comment anywhere.
        tokens.removeAll(keepingCapacity: true)
        var index = start
        var wordStart = -1
        var gapStart = start
        while index < bodyEnd {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") { break }
            if Self.isBlank(byte) {
                if wordStart >= 0 {
                    tokens.append(Token(range: wordStart..<index, gapStart: gapStart))
                    wordStart = -1
                    gapStart = index
                }
            } else if wordStart < 0 {
                wordStart = index
            }
            index += 1
        }
        if wordStart >= 0 { tokens.append(Token(range: wordStart..<index, gapStart: gapStart)) }
        let line = Line(number: number, start: start, bodyEnd: bodyEnd, end: end, isEntry: !tokens.isEmpty)
        if let address = tokens.first, !isLastValidAddress(address.range) {
            guard HostsFileEditor.isValidIP(text(address.range)) else {
                throw HostsFileError.malformedLine(path: path, line: number, text: text(start..<bodyEnd))
            }
            lastValidAddress = Array(bytes[address.range])
        }
        return line
    }

    /// The bytes of word `index` of the current line.
    func word(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[tokens[index].range]) }

    /// The bytes of a range as text.
    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    private func isLastValidAddress(_ range: Range<Int>) -> Bool {
        guard range.count == lastValidAddress.count, let base = bytes.baseAddress else { return false }
        return lastValidAddress.withUnsafeBytes { memcmp(base + range.lowerBound, $0.baseAddress!, range.count) == 0 }
    }

    /// Space, tab, CR, VT or FF, as one bit test.
    @inline(__always)
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte <= 0x20 && (0x1_0000_3A00 as UInt64) >> UInt64(byte) & 1 == 1
    }
}

/// A host name to look for, compared as DNS does: ASCII letters without regard to case (RFC 4343), other bytes
/// exactly.
struct HostName {
    private let folded: [UInt8]

    init(_ bytes: [UInt8]) { folded = bytes.map(Self.fold) }

    func matches(_ token: UnsafeRawBufferPointer) -> Bool {
        guard token.count == folded.count else { return false }
        for index in 0..<folded.count where Self.fold(token[index]) != folded[index] { return false }
        return true
    }

    static func same(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).withUnsafeBytes { HostName(Array(b.utf8)).matches($0) }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
