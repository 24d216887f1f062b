import Foundation

/// `{"key": [objects]}` as `JSONOutput.serialize` writes it (JSONSerialization: two-space indent, `"key" : value`,
/// sorted keys, unescaped slashes), built in one byte buffer from typed values. `history --json` of 10,000 runs
/// takes about a second through `[String: Any]` and JSONSerialization on Linux, and milliseconds here.
enum PrettyJSON {
    /// The values a history entry holds.
    enum Value {
        case string(String)
        case strings([String])
        case null

        /// The same value for JSONSerialization.
        var object: Any {
            switch self {
            case .string(let text): return text
            case .strings(let list): return list
            case .null: return NSNull()
            }
        }
    }

    /// `{"key": [objects]}`; each object's fields must come in sorted key order.
    static func document(key: String, objects: [[(key: String, value: Value)]]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64 + objects.count * 512)
        out += Array("{\n  ".utf8)
        writeString(key, into: &out)
        out += Array(" : ".utf8)
        writeContainer("[", "]", count: objects.count, indent: 2, into: &out) { position, out in
            let fields = objects[position]
            writeContainer("{", "}", count: fields.count, indent: 4, into: &out) { field, out in
                writeString(fields[field].key, into: &out)
                out += separator
                switch fields[field].value {
                case .string(let text): writeString(text, into: &out)
                case .null: out += null
                case .strings(let list):
                    writeContainer("[", "]", count: list.count, indent: 6, into: &out) { item, out in
                        writeString(list[item], into: &out)
                    }
                }
            }
        }
        out += Array("\n}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// `open`, one element a line at `indent + 2`, `close`; an empty container is `open`, a blank line, `close`.
    private static func writeContainer(
        _ open: Unicode.Scalar, _ close: Unicode.Scalar, count: Int, indent: Int, into out: inout [UInt8],
        element: (Int, inout [UInt8]) -> Void
    ) {
        out += [UInt8(ascii: open), 0x0A]
        if count == 0 { out.append(0x0A) }
        for position in 0..<count {
            if position > 0 { out += [UInt8(ascii: ","), 0x0A] }
            out += spaces[..<(indent + 2)]
            element(position, &out)
        }
        if count > 0 { out.append(0x0A) }
        out += spaces[..<indent]
        out.append(UInt8(ascii: close))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let separator = Array(" : ".utf8)
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 16)
    private static let null = Array("null".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`; everything else raw
    /// (copied in runs, not byte by byte).
    private static func writeString(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
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
            out.append(UInt8(ascii: "\""))
        }
    }
}
