import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An object key as raw bytes inside the document: compared without allocating.
struct JSONKey {
    let bytes: UnsafeBufferPointer<UInt8>

    func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == bytes.count else { return false }
        return memcmp(literal.utf8Start, bytes.baseAddress!, bytes.count) == 0
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// A forward-only reader over JSON bytes: visit members and elements, read the scalars you want, skip the rest.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    private func fail(_ problem: String) -> ClusterDataError {
        .malformedJSON(what: "pod list", offset: index, problem: problem)
    }

    @inline(__always) private mutating func skipSpace() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 {
                skipIndentation()
            } else if b == 0x0A || b == 0x0D || b == 0x09 {
                index += 1
            } else {
                return
            }
        }
    }

    /// Skips a run of spaces eight at a time (pretty-printed kubectl JSON is one third indentation).
    @inline(__always) private mutating func skipIndentation() {
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while index + 8 <= bytes.count,
            base.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0x2020_2020_2020_2020
        {
            index += 8
        }
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
    }

    @inline(__always) private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    /// Calls `body` for each member of an object; `body` must consume the value.
    mutating func members(_ body: (inout JSONCursor, JSONKey) throws -> Void) throws {
        skipSpace()
        if match("null") { return }
        try expect(0x7B)
        skipSpace()
        if index < bytes.count, bytes[index] == 0x7D {
            index += 1
            return
        }
        while true {
            skipSpace()
            let key = try rawString()
            try expect(0x3A)
            try body(&self, JSONKey(bytes: key))
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated object") }
            let b = bytes[index]
            index += 1
            if b == 0x7D { return }
            guard b == 0x2C else { throw fail("expected ',' or '}'") }
        }
    }

    /// Calls `body` for each element of an array; `body` must consume the element.
    mutating func elements(_ body: (inout JSONCursor) throws -> Void) throws {
        skipSpace()
        if match("null") { return }
        try expect(0x5B)
        skipSpace()
        if index < bytes.count, bytes[index] == 0x5D {
            index += 1
            return
        }
        while true {
            try body(&self)
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated array") }
            let b = bytes[index]
            index += 1
            if b == 0x5D { return }
            guard b == 0x2C else { throw fail("expected ',' or ']'") }
        }
    }

    /// The bytes between the quotes of a string, escapes left as they are.
    private mutating func rawString() throws -> UnsafeBufferPointer<UInt8> {
        try expect(0x22)
        let start = index
        while true {
            guard let base = bytes.baseAddress, index < bytes.count,
                let hit = memchr(base + index, 0x22, bytes.count - index)
            else { throw fail("unterminated string") }
            let quote = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
            var backslashes = 0
            var k = quote - 1
            while k >= start, bytes[k] == 0x5C {
                backslashes += 1
                k -= 1
            }
            index = quote + 1
            if backslashes % 2 == 0 { return UnsafeBufferPointer(rebasing: bytes[start..<quote]) }
        }
    }

    mutating func string() throws -> String {
        skipSpace()
        if match("null") { return "" }
        let raw = try rawString()
        guard raw.contains(0x5C) else { return String(decoding: raw, as: UTF8.self) }
        // Rare: let Foundation decode the escapes of this one string.
        var quoted = Data([0x22])
        quoted.append(contentsOf: raw)
        quoted.append(0x22)
        guard let s = try? JSONDecoder().decode(String.self, from: quoted) else { throw fail("bad string escape") }
        return s
    }

    mutating func bool() throws -> Bool {
        skipSpace()
        if match("true") { return true }
        if match("false") || match("null") { return false }
        throw fail("expected true or false")
    }

    mutating func int() throws -> Int {
        skipSpace()
        var value = 0
        var negative = false
        if index < bytes.count, bytes[index] == 0x2D {
            negative = true
            index += 1
        }
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value &* 10 &+ Int(bytes[index] - 0x30)
            index += 1
        }
        guard index > start else { throw fail("expected a number") }
        return negative ? -value : value
    }

    private mutating func match(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count, memcmp(word.utf8Start, bytes.baseAddress! + index, n) == 0 else { return false }
        index += n
        return true
    }

    /// Skips one value of any kind, nested containers included, without decoding it.
    mutating func skipValue() throws {
        skipSpace()
        guard index < bytes.count else { throw fail("value expected") }
        switch bytes[index] {
        case 0x22:
            _ = try rawString()
        case 0x7B, 0x5B:
            var depth = 0
            while index < bytes.count {
                let b = bytes[index]
                if b == 0x22 {
                    _ = try rawString()
                    continue
                }
                index += 1
                if b == 0x0A {
                    skipIndentation()
                    continue
                }
                if b == 0x7B || b == 0x5B {
                    depth += 1
                } else if b == 0x7D || b == 0x5D {
                    depth -= 1
                    if depth == 0 { return }
                }
            }
            throw fail("unterminated container")
        default:
            while index < bytes.count {
                let b = bytes[index]
                if b == 0x2C || b == 0x7D || b == 0x5D || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
                index += 1
            }
        }
    }
}
