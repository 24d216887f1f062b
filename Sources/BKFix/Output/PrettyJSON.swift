import Foundation

/// JSON text exactly as `JSONOutput.serialize` writes it (JSONSerialization: two-space indent, `"key" : value`,
/// sorted keys, unescaped slashes), built in one byte buffer. `history --json` of 10,000 runs takes seconds
/// through JSONSerialization on Linux and milliseconds here. Strings, lists, objects and nulls are written
/// directly; any other leaf (numbers, booleans) is handed to JSONSerialization itself.
enum PrettyJSON {
    static func serialize(_ object: Any) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(object, indent: 0, into: &out)
        out.append(0x0A)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: Any, indent: Int, into out: inout [UInt8]) {
        switch value {
        case let text as String:
            writeString(text, into: &out)
        case let object as [String: Any]:
            let keys = object.keys.sorted()
            writeContainer("{", "}", count: keys.count, indent: indent, into: &out) { position, out in
                writeString(keys[position], into: &out)
                out += Array(" : ".utf8)
                write(object[keys[position]]!, indent: indent + 2, into: &out)
            }
        case let list as [Any]:
            writeContainer("[", "]", count: list.count, indent: indent, into: &out) { position, out in
                write(list[position], indent: indent + 2, into: &out)
            }
        case is NSNull:
            out += Array("null".utf8)
        default:
            let data =
                (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])) ?? Data("null".utf8)
            out += data
        }
    }

    /// `open`, one element a line at `indent + 2`, `close`; an empty container is `open`, a blank line, `close`.
    private static func writeContainer(
        _ open: Unicode.Scalar, _ close: Unicode.Scalar, count: Int, indent: Int, into out: inout [UInt8],
        element: (Int, inout [UInt8]) -> Void
    ) {
        out += [UInt8(ascii: open), 0x0A]
        if count == 0 { out.append(0x0A) }
        for position in 0..<count {
            if position > 0 { out += Array(",\n".utf8) }
            pad(indent + 2, &out)
            element(position, &out)
        }
        if count > 0 { out.append(0x0A) }
        pad(indent, &out)
        out.append(UInt8(ascii: close))
    }

    private static func pad(_ count: Int, _ out: inout [UInt8]) {
        out += repeatElement(UInt8(ascii: " "), count: count)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, ... or `\u00XX`; everything else raw.
    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [0x5C, UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20:
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
