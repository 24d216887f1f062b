import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Searches over raw bytes (memchr for the first byte, memcmp for the rest; a word at a time for newlines):
/// the diagnoser's hot loops.
enum ByteSearch {
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= haystack.count, let base = haystack.baseAddress else { return false }
        let lastStart = haystack.count - needle.count
        return needle.withUnsafeBufferPointer { n in
            var offset = 0
            while offset <= lastStart {
                guard let hit = memchr(base + offset, Int32(first), lastStart - offset + 1) else { return false }
                let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }

    /// The offset of the first `byte` in `bytes[from..<to]`, or nil.
    static func first(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = bytes.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else {
            return nil
        }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
    }

    /// The offset of the last `byte` in `bytes[from..<to]`, or nil.
    static func last(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = to
        while i > from {
            i -= 1
            if bytes[i] == byte { return i }
        }
        return nil
    }

    /// How many newlines `bytes[from..<to]` holds, counted a machine word at a time.
    static func newlines(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let base = bytes.baseAddress else { return 0 }
        var count = 0
        var i = from
        while i < to, (Int(bitPattern: base + i) & 7) != 0 {
            if base[i] == 0x0A { count += 1 }
            i += 1
        }
        let highs: UInt64 = 0x8080_8080_8080_8080
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let newline: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let raw = UnsafeRawPointer(base)
        while i + 8 <= to {
            let x = raw.load(fromByteOffset: i, as: UInt64.self) ^ newline
            // A byte of `x` is zero exactly where the input holds a newline: set the high bit of just those bytes.
            let zero = ~(((x & lows) &+ lows) | x | lows)
            count += (zero & highs).nonzeroBitCount
            i += 8
        }
        while i < to {
            if base[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }
}
