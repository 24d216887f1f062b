import Foundation

/// The object ids listed in a pack's `.idx` file (git's version 1 and 2 formats), read without libgit2 so packing
/// can check that a new pack holds an object before the object's other copy is deleted.
struct PackIndexFile {
    /// 40-hex ids, in the file's (sorted) order.
    let objectIDs: [String]

    /// Reads `path`; nil when the file is missing, truncated, or not a pack index.
    init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        let versionTwo = bytes.starts(with: [0xFF, 0x74, 0x4F, 0x63])
        let fanoutStart = versionTwo ? 8 : 0
        guard bytes.count >= fanoutStart + 1024 else { return nil }
        if versionTwo, Self.bigEndian(bytes, at: 4) != 2 { return nil }
        let count = Int(Self.bigEndian(bytes, at: fanoutStart + 255 * 4))
        let (start, stride) = versionTwo ? (fanoutStart + 1024, 20) : (fanoutStart + 1024 + 4, 24)
        guard bytes.count >= start + count * stride else { return nil }
        let hexDigits = Array("0123456789abcdef".utf8)
        var ids: [String] = []
        ids.reserveCapacity(count)
        for index in 0..<count {
            let offset = start + index * stride
            var hex = [UInt8](repeating: 0, count: 40)
            for position in 0..<20 {
                let byte = bytes[offset + position]
                hex[2 * position] = hexDigits[Int(byte >> 4)]
                hex[2 * position + 1] = hexDigits[Int(byte & 0x0F)]
            }
            ids.append(String(decoding: hex, as: UTF8.self))
        }
        objectIDs = ids
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
