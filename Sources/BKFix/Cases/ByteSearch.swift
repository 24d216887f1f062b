import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Substring search over raw bytes (memchr for the first byte, memcmp for the rest): the diagnoser's hot loop.
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
}
