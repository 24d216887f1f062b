import Foundation

/// One "Key: value" line of a commit message's trailer block; a key may repeat (one `Host:` per host).
public struct CommitTrailer: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension StateRepo {
    /// Parses "Key: value" trailer lines from the last paragraph of a commit message; when a key repeats, the last
    /// value wins (`parseTrailerList` keeps them all).
    public static func parseTrailers(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for trailer in parseTrailerList(message) { result[trailer.key] = trailer.value }
        return result
    }

    /// Every trailer of the message's last paragraph, in order.
    ///
    /// Like git, a paragraph counts as trailers only if it is not the subject paragraph and every line in it is
    /// a trailer (indented lines continue the previous value).
    public static func parseTrailerList(_ message: String) -> [CommitTrailer] {
        var message = message
        return message.withUTF8 { parseTrailerList(bytes: $0) }
    }

    /// `parseTrailerList` over the raw bytes of a message (a history walk parses thousands, straight from libgit2).
    static func parseTrailerList(bytes: UnsafeBufferPointer<UInt8>) -> [CommitTrailer] {
        // Lines as byte ranges without their "\n" or "\r\n"; a blank line separates paragraphs.
        var lines: [Range<Int>] = []
        var start = 0
        for position in 0...bytes.count where position == bytes.count || bytes[position] == newline {
            var end = position
            if end > start, bytes[end - 1] == carriageReturn { end -= 1 }
            lines.append(start..<end)
            start = position + 1
        }
        func isBlank(_ line: Range<Int>) -> Bool { line.allSatisfy { isSpace(bytes[$0]) } }

        // The last paragraph, and whether any paragraph comes before it.
        var last = lines.count
        while last > 0, isBlank(lines[last - 1]) { last -= 1 }
        var first = last
        while first > 0, !isBlank(lines[first - 1]) { first -= 1 }
        guard first < last, lines[..<first].contains(where: { !isBlank($0) }) else { return [] }

        var trailers: [CommitTrailer] = []
        for line in lines[first..<last] {
            if isSpace(bytes[line.lowerBound]) {
                guard !trailers.isEmpty else { return [] }
                trailers[trailers.count - 1].value += " " + text(bytes, trimmed(bytes, line))
                continue
            }
            guard let colon = line.first(where: { bytes[$0] == colonByte }), colon > line.lowerBound,
                (line.lowerBound..<colon).allSatisfy({ isKeyByte(bytes[$0]) })
            else { return [] }
            trailers.append(
                CommitTrailer(
                    key: text(bytes, line.lowerBound..<colon),
                    value: text(bytes, trimmed(bytes, colon + 1..<line.upperBound))
                ))
        }
        return trailers
    }

    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")
    private static let colonByte = UInt8(ascii: ":")

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0B || byte == 0x0C || byte == carriageReturn
    }

    /// Letters, digits and dashes: the bytes of a trailer key.
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-")
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isSpace(bytes[lower]) { lower += 1 }
        while upper > lower, isSpace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
