import Foundation

/// `{"key": [objects]}` as `JSONOutput.serialize` writes it (JSONSerialization: two-space indent, `"key" : value`,
/// sorted keys, unescaped slashes), written object by object into one byte buffer from typed values, so `history
/// --json` streams 10,000 runs in milliseconds (through `[String: Any]` and JSONSerialization it takes a second).
struct PrettyJSON {
    /// The values a history entry holds.
    enum Value {
        case string(String)
        case strings([String])
        /// `host:path` strings, written without building them.
        case fileRefs([RunFileRef])
        case null

        /// The same value for JSONSerialization.
        var object: Any {
            switch self {
            case .string(let text): return text
            case .strings(let list): return list
            case .fileRefs(let refs): return refs.map { RunTrailers.fileRef(host: $0.host, path: $0.path) }
            case .null: return NSNull()
            }
        }
    }

    private var out: [UInt8] = []
    private var objects = 0
    private var fieldsInObject = 0

    /// Starts `{"key" : [`.
    init(listKey key: String) {
        out.reserveCapacity(1 << 20)
        out += Array("{\n  ".utf8)
        Self.writeString(key, into: &out)
        out += Array(" : [\n".utf8)
    }

    /// Appends one object; `body` adds its fields in sorted key order through `field`.
    mutating func appendObject(_ body: (inout PrettyJSON) -> Void) {
        if objects > 0 { out += Self.comma }
        out += Self.spaces[..<4]
        out += [UInt8(ascii: "{"), 0x0A]
        fieldsInObject = 0
        body(&self)
        out.append(0x0A)
        out += Self.spaces[..<4]
        out.append(UInt8(ascii: "}"))
        objects += 1
    }

    /// One `"key" : value` of the current object.
    mutating func field(_ key: String, _ value: Value) {
        if fieldsInObject > 0 { out += Self.comma }
        fieldsInObject += 1
        out += Self.spaces[..<6]
        Self.writeString(key, into: &out)
        out += Self.separator
        switch value {
        case .string(let text): Self.writeString(text, into: &out)
        case .null: out += Self.null
        case .strings(let list): writeList(count: list.count) { Self.writeString(list[$0], into: &$1) }
        case .fileRefs(let refs):
            writeList(count: refs.count) { position, out in
                Self.writeString(refs[position].host, into: &out, closing: false)
                out.append(UInt8(ascii: ":"))
                Self.writeString(refs[position].path, into: &out, opening: false)
            }
        }
    }

    /// Ends the document: `]}` and a newline (an empty list is `[`, a blank line, `]`, as JSONSerialization has it).
    consuming func finish() -> [UInt8] {
        out.append(0x0A)  // after the last object; for no object, the blank line JSONSerialization leaves
        out += Self.spaces[..<2]
        out += Array("]\n}\n".utf8)
        return out
    }

    private mutating func writeList(count: Int, _ element: (Int, inout [UInt8]) -> Void) {
        out += [UInt8(ascii: "["), 0x0A]
        if count == 0 { out.append(0x0A) }
        for position in 0..<count {
            if position > 0 { out += Self.comma }
            out += Self.spaces[..<8]
            element(position, &out)
        }
        if count > 0 { out.append(0x0A) }
        out += Self.spaces[..<6]
        out.append(UInt8(ascii: "]"))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let separator = Array(" : ".utf8)
    private static let comma = Array(",\n".utf8)
    private static let null = Array("null".utf8)
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 16)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`; everything else raw
    /// (copied in runs, not byte by byte). Without its opening or closing quote to join two strings into one.
    private static func writeString(_ text: String, into out: inout [UInt8], opening: Bool = true, closing: Bool = true)
    {
        var text = text
        text.withUTF8 { bytes in
            if opening { out.append(UInt8(ascii: "\"")) }
            var plainStart = 0
            for position in 0..<bytes.count {
                let byte = bytes[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<position]))
                plainStart = position + 1
                switch byte {
                case UInt8(ascii: "\""): out += [0x5C, UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                case 0x0D: out += [0x5C, UInt8(ascii: "r")]
                case 0x09: out += [0x5C, UInt8(ascii: "t")]
                case 0x08: out += [0x5C, UInt8(ascii: "b")]
                case 0x0C: out += [0x5C, UInt8(ascii: "f")]
                default:
                    out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart...]))
            if closing { out.append(UInt8(ascii: "\"")) }
        }
    }
}
