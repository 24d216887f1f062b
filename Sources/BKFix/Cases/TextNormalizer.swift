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

    /// The normalized bytes of a line (without its newline); returns the input itself when there is nothing to do.
    public static func normalize(bytes line: [UInt8]) -> [UInt8] {
        var out = line
        if has(out, 0x1B) { out = stripANSI(out) }
        if has(out, 0x0D) { out = afterCarriageReturns(out) }
        guard let first = out.first, first == 0x2B || first == 0x5B || isDigit(first) || first == 0x20 else {
            return out
        }
        var start = 0
        for _ in 0..<3 {
            let before = start
            start = skipTimestamp(out, from: start)
            start = skipTraceMarks(out, from: start)
            if start == before { break }
        }
        return start == 0 ? out : Array(out[start...])
    }

    /// Removes CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ST`) and two-byte escape sequences.
    static func stripANSI(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x1B else {
                out.append(b)
                i += 1
                continue
            }
            i += 1
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
        return out
    }

    /// A terminal shows only what follows the last carriage return (progress bars); a final CR (CRLF) is dropped.
    static func afterCarriageReturns(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0D { end -= 1 }
        var start = 0
        if let lastCR = bytes[..<end].lastIndex(of: 0x0D) { start = lastCR + 1 }
        return Array(bytes[start..<end])
    }

    private static func has(_ bytes: [UInt8], _ byte: UInt8) -> Bool {
        bytes.withUnsafeBytes { $0.isEmpty ? false : memchr($0.baseAddress!, Int32(byte), $0.count) != nil }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Skips `+ `, `++ ` ... as printed by `bash -x`.
    private static func skipTraceMarks(_ b: [UInt8], from start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x2B { i += 1 }
        guard i > start, i < b.count, b[i] == 0x20 else { return start }
        return i + 1
    }

    /// Skips a leading `2026-11-26 10:00:00`, `[2026-11-26T10:00:00.123Z]`, `2026/11/26 10:00:00,123 +0800` or
    /// `[10:00:00]`, with the spaces after it; returns `start` when there is none.
    private static func skipTimestamp(_ b: [UInt8], from start: Int) -> Int {
        var i = start
        while i < b.count, b[i] == 0x20 { i += 1 }
        let bracket = i < b.count && b[i] == 0x5B
        if bracket { i += 1 }
        func digits(_ n: Int) -> Bool {
            guard i + n <= b.count else { return false }
            for k in i..<(i + n) where !isDigit(b[k]) { return false }
            i += n
            return true
        }
        func byte(_ set: [UInt8]) -> Bool {
            guard i < b.count, set.contains(b[i]) else { return false }
            i += 1
            return true
        }
        let dateStart = i
        var sawDate = false
        if digits(4), byte([0x2D, 0x2F]), digits(2), byte([0x2D, 0x2F]), digits(2) {
            sawDate = true
            if !byte([0x54, 0x20]) { return start }
        } else {
            i = dateStart
        }
        guard digits(2), byte([0x3A]), digits(2), byte([0x3A]), digits(2) else { return start }
        if byte([0x2E, 0x2C]) { while i < b.count, isDigit(b[i]) { i += 1 } }
        if sawDate {
            if byte([0x5A]) {
            } else {
                let zoneStart = i
                var j = i
                while j < b.count, b[j] == 0x20 { j += 1 }
                i = j
                if byte([0x2B, 0x2D]), digits(2) {
                    _ = byte([0x3A])
                    if !digits(2) { i = zoneStart }
                } else {
                    i = zoneStart
                }
            }
        }
        if bracket && !byte([0x5D]) { return start }
        guard i == b.count || b[i] == 0x20 || b[i] == 0x09 else { return start }
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
        return i
    }
}
