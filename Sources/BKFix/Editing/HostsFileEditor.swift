import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a hosts file could not be read or edited.
public enum HostsFileError: LocalizedError, Equatable {
    case invalidAddress(String)
    case malformedLine(path: String, line: Int, text: String)
    case binary(path: String)

    public var errorDescription: String? {
        switch self {
        case .invalidAddress(let address):
            return "'\(address)' is not a valid IPv4 or IPv6 address"
        case .malformedLine(let path, let line, let text):
            let shown = text.count > 80 ? text.prefix(80) + "… (\(text.utf8.count) bytes)" : text
            return "\(path) line \(line): '\(shown)' does not start with an IP address; fix or comment out that line"
        case .binary(let path):
            return "\(path) contains NUL bytes: it is not a hosts file; refusing to edit it"
        }
    }
}

/// The result of an edit: the new bytes, what was done to existing lines, and whether anything changed.
public struct HostsEdit: Sendable, Equatable {
    public var after: Data
    public var notes: [String]
    public var changed: Bool

    public init(after: Data, notes: [String], changed: Bool) {
        self.after = after
        self.notes = notes
        self.changed = changed
    }
}

/// Byte-exact edits of `/etc/hosts`-style files: every byte not involved in the edit is kept.
public enum HostsFileEditor {
    /// What to do with an active line mapping a target name to another address.
    public enum ConflictStyle: String, Sendable {
        case commentOut = "comment-out"
        case drop
    }

    /// Ensures every name in `names` resolves to `ip` through this hosts file.
    public static func ensure(
        ip: String, names: [String], in content: Data, path: String, conflicts: ConflictStyle = .commentOut
    ) throws -> HostsEdit {
        guard let target = IPAddress(ip, allowScope: true) else { throw HostsFileError.invalidAddress(ip) }
        let lines = try parse(content, path: path)
        var wanted: [String] = []
        for name in names where !name.isEmpty && !wanted.contains(where: { $0.lowercased() == name.lowercased() }) {
            wanted.append(name)
        }
        let wantedKeys = Set(wanted.map { $0.lowercased() })
        var satisfied = Set<String>()
        var notes: [String] = []
        var output = [UInt8]()
        output.reserveCapacity(content.count + 64)

        for line in lines {
            guard let entry = line.entry else {
                output += line.body + line.terminator
                continue
            }
            let hits = entry.names.filter { wantedKeys.contains($0.text.lowercased()) }
            if hits.isEmpty {
                output += line.body + line.terminator
                continue
            }
            if IPAddress(entry.address, allowScope: true) == target {
                for hit in hits { satisfied.insert(hit.text.lowercased()) }
                output += line.body + line.terminator
                continue
            }
            let text = line.text
            let reason = "(\(hits.map(\.text).joined(separator: ", ")) pointed to \(entry.address))"
            if hits.count == entry.names.count {
                switch conflicts {
                case .commentOut:
                    output += Array("# ".utf8) + line.body + line.terminator
                    notes.append("commented out line \(line.number): \"\(text)\" \(reason)")
                case .drop:
                    notes.append("dropped line \(line.number): \"\(text)\" \(reason)")
                }
            } else {
                // Remove each target name with the whitespace before it; everything else stays as it was.
                var body = line.body
                for hit in hits.reversed() { body.removeSubrange(hit.gapStart..<hit.range.upperBound) }
                output += body + line.terminator
                notes.append(
                    "removed \(hits.map(\.text).joined(separator: ", ")) from line \(line.number): \"\(text)\" \(reason)"
                )
            }
        }

        let missing = wanted.filter { !satisfied.contains($0.lowercased()) }
        if !missing.isEmpty {
            let newLine = Array(([ip] + missing).joined(separator: " ").utf8)
            let lineEnding: [UInt8] = lines.first(where: { !$0.terminator.isEmpty })?.terminator ?? [0x0A]
            if output.isEmpty {
                output = newLine + lineEnding
            } else if output.last == 0x0A {
                output += newLine + lineEnding
            } else {
                output += lineEnding + newLine  // keep the file's missing final newline
            }
            let number = output.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (output.last == 0x0A ? 0 : 1)
            notes.append("added line \(number): \"\(String(decoding: newLine, as: UTF8.self))\"")
        }
        let after = Data(output)
        return HostsEdit(after: after, notes: notes, changed: after != content)
    }

    /// The IPs an active (uncommented) line gives `name`, in file order.
    public static func lookup(name: String, in content: Data, path: String) throws -> [String] {
        let key = name.lowercased()
        return try parse(content, path: path).compactMap { line in
            guard let entry = line.entry, entry.names.contains(where: { $0.text.lowercased() == key }) else {
                return nil
            }
            return entry.address
        }
    }

    /// Dotted-quad IPv4 (four decimal parts 0-255, no leading zeros), by bkfix's one IP parser.
    public static func isValidIPv4(_ s: String) -> Bool { IPAddress.isIPv4(s) }

    /// IPv4 or IPv6 (an IPv6 scope such as `%eth0` is allowed, as in hosts files).
    public static func isValidIP(_ s: String) -> Bool { IPAddress(s, allowScope: true) != nil }

    // MARK: - Parsing

    /// One line: its bytes without the line ending, the ending (`\n`, `\r\n` or none), and its mapping if active.
    private struct Line {
        var number: Int
        var body: [UInt8]
        var terminator: [UInt8]
        var entry: Entry?

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// An active mapping line: the address and the names, each with where it sits in the line.
    private struct Entry {
        var address: String
        var names: [Token]
    }

    /// A word of a mapping line and its byte range in the line.
    private struct Token {
        var text: String
        var range: Range<Int>
        /// Where the whitespace before the token starts.
        var gapStart: Int
    }

    private static func parse(_ content: Data, path: String) throws -> [Line] {
        let bytes = [UInt8](content)
        if bytes.contains(0) { throw HostsFileError.binary(path: path) }
        var lines: [Line] = []
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var body = Array(bytes[start..<end])
            var terminator: [UInt8] = end < bytes.count ? [0x0A] : []
            if !terminator.isEmpty && body.last == 0x0D {
                body.removeLast()
                terminator = [0x0D, 0x0A]
            }
            let number = lines.count + 1
            let entry = try parseEntry(body, number: number, path: path)
            lines.append(Line(number: number, body: body, terminator: terminator, entry: entry))
            start = end + 1
        }
        return lines
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// The mapping of a line, nil for a blank or comment line; `#` starts a comment anywhere.
    private static func parseEntry(_ body: [UInt8], number: Int, path: String) throws -> Entry? {
        let end = body.firstIndex(of: UInt8(ascii: "#")) ?? body.count
        var tokens: [Token] = []
        var index = 0
        while index < end {
            let gapStart = index
            while index < end && isBlank(body[index]) { index += 1 }
            guard index < end else { break }
            let tokenStart = index
            while index < end && !isBlank(body[index]) { index += 1 }
            tokens.append(
                Token(
                    text: String(decoding: body[tokenStart..<index], as: UTF8.self), range: tokenStart..<index,
                    gapStart: gapStart))
        }
        guard let first = tokens.first else { return nil }
        guard isValidIP(first.text) else {
            throw HostsFileError.malformedLine(path: path, line: number, text: String(decoding: body, as: UTF8.self))
        }
        return Entry(address: first.text, names: Array(tokens.dropFirst()))
    }
}

extension HostsFileError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .invalidAddress, .malformedLine, .binary: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .invalidAddress: return "bad-parameter"
        case .malformedLine, .binary: return "bad-hosts-file"
        }
    }
}
