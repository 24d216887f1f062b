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
        /// A nested JSON object (a revert schedule): written by JSONSerialization, indented to its place.
        case object([String: Any])
        case null

        /// The same value for JSONSerialization.
        var object: Any {
            switch self {
            case .string(let text): return text
            case .strings(let list): return list
            case .fileRefs(let refs): return refs.map { RunTrailers.fileRef(host: $0.host, path: $0.path) }
            case .object(let object): return object
            case .null: return NSNull()
            }
        }
    }

    private let listKey: String
    /// The list's objects; `finish` puts the document's opening (and its leading fields) before them.
    private var out: [UInt8] = []
    private var objects = 0
    private var fieldsInObject = 0

    /// Starts `{"key" : [`.
    init(listKey key: String) {
        listKey = key
        out.reserveCapacity(1 << 20)
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
        case .object(let object):
            let text = JSONOutput.serialize(object).dropLast()  // its trailing newline
            out += Array(text.replacing("\n", with: "\n" + String(repeating: " ", count: 6)).utf8)
        case .fileRefs(let refs):
            writeList(count: refs.count) { position, out in
                Self.writeString(refs[position].host, into: &out, closing: false)
                out.append(UInt8(ascii: ":"))
                Self.writeString(refs[position].path, into: &out, opening: false)
            }
        }
    }

    /// Ends the document: `]}` and a newline (an empty list is `[`, a blank line, `]`, as JSONSerialization has it).
    /// `leading` are integer fields whose keys sort before the list's, written before it (`"masked" : 0`).
    consuming func finish(leading: [(key: String, value: Int)] = []) -> [UInt8] {
        var document: [UInt8] = []
        document.reserveCapacity(out.count + 64)
        document += Array("{\n".utf8)
        for field in leading {
            document += Self.spaces[..<2]
            Self.writeString(field.key, into: &document)
            document += Self.separator + Array(String(field.value).utf8) + Self.comma
        }
        document += Self.spaces[..<2]
        Self.writeString(listKey, into: &document)
        document += Array(" : [\n".utf8)
        document += out
        document.append(0x0A)  // after the last object; for no object, the blank line JSONSerialization leaves
        document += Self.spaces[..<2]
        document += Array("]\n}\n".utf8)
        return document
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
