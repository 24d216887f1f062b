import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns one raw terminal line into what an operator reads: no colours, no CR, no leading timestamp or `bash -x` marks.
public enum TextNormalizer {
    /// The normalized text of a line given as a String.
    public static func normalize(_ line: String) -> String {
        String(decoding: normalize(bytes: Array(line.utf8)), as: UTF8.self)
    }

    /// The normalized bytes of a line (without its newline).
    public static func normalize(bytes line: [UInt8]) -> [UInt8] {
        var scratch: [UInt8] = []
        return line.withUnsafeBufferPointer { raw in withNormalized(raw, scratch: &scratch) { Array($0.bytes) } }
    }

    /// A normalized line: `bytes` lie in the raw line from `rawOffset` on, or in the scratch buffer (`rawOffset` nil)
    /// when escape sequences had to be removed.
    struct Normalized {
        var bytes: UnsafeBufferPointer<UInt8>
        var rawOffset: Int?
    }

    /// Calls `body` with the normalized form of `line`: a slice of the line itself unless it holds an escape sequence,
    /// else a slice of `scratch` (reused from line to line, so normalizing allocates nothing).
    static func withNormalized<R>(
        _ line: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8], _ body: (Normalized) -> R
    ) -> R {
        guard line.count > 0, let base = line.baseAddress else {
            return body(Normalized(bytes: line, rawOffset: 0))
        }
        if memchr(base, 0x1B, line.count) == nil {
            let (start, end) = visibleRange(line, 0, line.count)
            let from = skipPrefixes(line, start, end)
            return body(Normalized(bytes: UnsafeBufferPointer(rebasing: line[from..<end]), rawOffset: from))
        }
        stripANSI(line, into: &scratch)
        return scratch.withUnsafeBufferPointer { stripped in
            let (start, end) = visibleRange(stripped, 0, stripped.count)
            let from = skipPrefixes(stripped, start, end)
            return body(Normalized(bytes: UnsafeBufferPointer(rebasing: stripped[from..<end]), rawOffset: nil))
        }
    }

    /// What a terminal shows of `b[start..<end]`: the text after the last carriage return, a final CR (CRLF) dropped.
    static func visibleRange(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var end = end
        while end > start, b[end - 1] == 0x0D { end -= 1 }
        guard end > start, memchr(b.baseAddress! + start, 0x0D, end - start) != nil else { return (start, end) }
        var cr = end - 1
        while b[cr] != 0x0D { cr -= 1 }
        return (cr + 1, end)
    }

    /// The offset after a leading timestamp and `bash -x` marks (up to three of them, in any order).
    private static func skipPrefixes(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        guard start < end else { return start }
        let first = b[start]
        guard first == 0x2B || first == 0x5B || isDigit(first) || first == 0x20 else { return start }
        let line = UnsafeBufferPointer(rebasing: b[start..<end])
        var offset = 0
        for _ in 0..<3 {
            let before = offset
            offset = skipTimestamp(line, from: offset)
            offset = skipTraceMarks(line, from: offset)
            if offset == before { break }
        }
        return start + offset
    }

    /// Removes CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ST`) and two-byte escape sequences.
    static func stripANSI(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let escape = ByteSearch.first(0x1B, in: bytes, from: i, to: bytes.count) ?? bytes.count
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<escape]))
            i = escape + 1
            guard i < bytes.count else { break }
            switch bytes[i] {
            case 0x5B:  // CSI: parameters and intermediates, then one final byte 0x40...0x7E
                i += 1
                while i < bytes.count, !(0x40...0x7E).contains(bytes[i]) { i += 1 }
                i += 1
            case 0x5D:  // OSC: up to BEL or ESC \
                i += 1
                while i < bytes.count, bytes[i] != 0x07, bytes[i] != 0x1B { i += 1 }
                if i < bytes.count, bytes[i] == 0x1B { i += 1 }
                i += 1
            default:
                i += 1
            }
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Skips `+ `, `++ ` ... as printed by `bash -x`.
    private static func skipTraceMarks(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x2B { i += 1 }
        guard i > start, i < b.count, b[i] == 0x20 else { return start }
        return i + 1
    }

    /// Skips a leading `2026-11-26 10:00:00`, `[2026-11-26T10:00:00.123Z]`, `2026/11/26 10:00:00,123 +0800` or
    /// `[10:00:00]`, with the spaces after it; returns `start` when there is none.
    private static func skipTimestamp(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var c = Cursor(b: b, i: start)
        while c.byte(0x20) {}
        let bracket = c.byte(0x5B)
        let dateStart = c.i
        var sawDate = false
        if c.digits(4), c.byte(0x2D, 0x2F), c.digits(2), c.byte(0x2D, 0x2F), c.digits(2) {
            sawDate = true
            if !c.byte(0x54, 0x20) { return start }
        } else {
            c.i = dateStart
        }
        guard c.digits(2), c.byte(0x3A), c.digits(2), c.byte(0x3A), c.digits(2) else { return start }
        if c.byte(0x2E, 0x2C) { while c.i < b.count, isDigit(b[c.i]) { c.i += 1 } }
        if sawDate, !c.byte(0x5A) {
            let zoneStart = c.i
            while c.byte(0x20) {}
            if c.byte(0x2B, 0x2D), c.digits(2) {
                _ = c.byte(0x3A)
                if !c.digits(2) { c.i = zoneStart }
            } else {
                c.i = zoneStart
            }
        }
        if bracket && !c.byte(0x5D) { return start }
        guard c.i == b.count || b[c.i] == 0x20 || b[c.i] == 0x09 else { return start }
        while c.byte(0x20, 0x09) {}
        return c.i
    }

    /// A read position in a line, for `skipTimestamp` (a struct, so the hot path captures no mutable variable).
    private struct Cursor {
        let b: UnsafeBufferPointer<UInt8>
        var i: Int

        mutating func digits(_ n: Int) -> Bool {
            guard i + n <= b.count else { return false }
            for k in i..<(i + n) where !isDigit(b[k]) { return false }
            i += n
            return true
        }

        mutating func byte(_ one: UInt8, _ other: UInt8? = nil) -> Bool {
            guard i < b.count, b[i] == one || b[i] == other else { return false }
            i += 1
            return true
        }
    }
}
