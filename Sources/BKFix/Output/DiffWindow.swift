import Foundation

/// The lines of two files that a line diff has to look at: everything between their common head and common tail
/// (found by comparing bytes, not lines), plus up to `context` common lines on each side for the hunks.
///
/// A plan that changes a few lines of a 9 MB hosts file splits and hashes only the lines between the first and the
/// last change, so the diff costs a pass over the bytes, not a hash table of every line.
struct DiffWindow {
    /// The old file's lines in the window.
    let old: HashedLines
    /// The new file's lines in the window.
    let new: HashedLines
    /// Lines before the window, the same in both files: the window's first line is line `skippedLines + 1`.
    let skippedLines: Int

    init(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, context: Int) {
        let shorter = min(a.count, b.count)
        let prefix = Self.commonPrefix(a, b, limit: shorter)
        // The first line that differs starts after the last newline of the common prefix.
        let headEnd = Self.lastNewline(a, before: prefix).map { $0 + 1 } ?? 0
        var suffix = Self.commonSuffix(a, b, limit: shorter - headEnd)
        // The common tail must start a line in both files, else it begins after its first newline.
        if suffix > 0 {
            let tailA = a.count - suffix
            let tailB = b.count - suffix
            let startsLineA = tailA == headEnd || a[tailA - 1] == UInt8(ascii: "\n")
            let startsLineB = tailB == headEnd || b[tailB - 1] == UInt8(ascii: "\n")
            if !(startsLineA && startsLineB) {
                suffix = Self.firstNewline(a, from: tailA).map { a.count - ($0 + 1) } ?? 0
            }
        }
        var start = headEnd
        for _ in 0..<context where start > 0 {
            start = Self.lastNewline(a, before: start - 1).map { $0 + 1 } ?? 0
        }
        var endA = a.count - suffix
        for _ in 0..<context where endA < a.count {
            endA = Self.firstNewline(a, from: endA).map { $0 + 1 } ?? a.count
        }
        let endB = endA + (b.count - a.count)
        skippedLines = Self.newlines(in: UnsafeRawBufferPointer(rebasing: a[0..<start]))
        old = HashedLines(UnsafeRawBufferPointer(rebasing: a[start..<endA]))
        new = HashedLines(UnsafeRawBufferPointer(rebasing: b[start..<endB]))
    }

    /// Length of the longest common prefix, compared a word at a time.
    static func commonPrefix(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, limit: Int) -> Int {
        var i = 0
        while i + 8 <= limit,
            a.loadUnaligned(fromByteOffset: i, as: UInt64.self) == b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        {
            i += 8
        }
        while i < limit, a[i] == b[i] { i += 1 }
        return i
    }

    /// Length of the longest common suffix, at most `limit` bytes.
    static func commonSuffix(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, limit: Int) -> Int {
        var n = 0
        while n + 8 <= limit,
            a.loadUnaligned(fromByteOffset: a.count - n - 8, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: b.count - n - 8, as: UInt64.self)
        {
            n += 8
        }
        while n < limit, a[a.count - n - 1] == b[b.count - n - 1] { n += 1 }
        return n
    }

    /// Index of the last newline before `end`.
    static func lastNewline(_ bytes: UnsafeRawBufferPointer, before end: Int) -> Int? {
        var index = end - 1
        while index >= 0 {
            if bytes[index] == 0x0A { return index }
            index -= 1
        }
        return nil
    }

    /// Index of the first newline at or after `start`.
    static func firstNewline(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    static func newlines(in bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var index = 0
        while let next = firstNewline(bytes, from: index) {
            count += 1
            index = next + 1
        }
        return count
    }
}

/// Lines of a byte buffer, each with its terminator (so "x" and "x\n" differ, as in GNU diff) and a hash that
/// makes most comparisons one integer compare.
struct HashedLines {
    private let bytes: UnsafeRawBufferPointer
    /// Line `i` is `bytes[bounds[i]..<bounds[i + 1]]`.
    private var bounds: [Int] = [0]
    private(set) var hashes: [UInt64] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        var start = 0
        while start < bytes.count {
            let end = DiffWindow.firstNewline(bytes, from: start).map { $0 + 1 } ?? bytes.count
            hashes.append(Self.hash(UnsafeRawBufferPointer(rebasing: bytes[start..<end])))
            bounds.append(end)
            start = end
        }
    }

    var count: Int { hashes.count }

    subscript(index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[bounds[index]..<bounds[index + 1]])
    }

    /// True when line `i` here has the same bytes as line `j` of `other`.
    func same(_ i: Int, _ other: HashedLines, _ j: Int) -> Bool {
        guard hashes[i] == other.hashes[j] else { return false }
        let x = self[i]
        let y = other[j]
        return x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
    }

    /// A fast multiplicative hash, eight bytes at a time; equal hashes are confirmed byte by byte.
    private static func hash(_ line: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(line.count)
        var i = 0
        while i + 8 <= line.count {
            h = ((h << 5 | h >> 59) ^ line.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x5178_9e37_ab1d_0035
            i += 8
        }
        while i < line.count {
            h = ((h << 5 | h >> 59) ^ UInt64(line[i])) &* 0x5178_9e37_ab1d_0035
            i += 1
        }
        return h
    }
}
