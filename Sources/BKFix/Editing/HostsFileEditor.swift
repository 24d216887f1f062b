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
    ///
    /// One pass over the bytes: lines that map none of the names are copied in runs, never split or decoded.
    public static func ensure(
        ip: String, names: [String], in content: Data, path: String, conflicts: ConflictStyle = .commentOut
    ) throws -> HostsEdit {
        guard let target = IPAddress(ip, allowScope: true) else { throw HostsFileError.invalidAddress(ip) }
        var wanted: [String] = []
        for name in names where !name.isEmpty && !wanted.contains(where: { HostName.same($0, name) }) {
            wanted.append(name)
        }
        let keys = wanted.map { HostName(Array($0.utf8)) }
        var satisfied = [Bool](repeating: false, count: keys.count)
        var notes: [String] = []
        var output = Data()  // built in place: no second copy of a big file
        output.reserveCapacity(content.count + 64)
        var keptLines = 0
        var lineEnding: [UInt8]?

        var copiedUpTo = 0  // bytes before this offset are in `output` already; 0 while no line changed
        try content.withUnsafeBytes { bytes in
            var scanner = try HostsFileScanner(bytes, path: path)
            while let line = try scanner.next() {
                if lineEnding == nil, line.end > line.bodyEnd {
                    lineEnding = Array(bytes[line.bodyEnd..<line.end])
                }
                keptLines += 1
                guard line.isEntry else { continue }
                let tokens = scanner.tokens
                var hits: [Int] = []
                var hitKeys: [Int] = []
                for name in 1..<tokens.count {
                    if let key = keys.firstIndex(where: { $0.matches(scanner.word(name)) }) {
                        hits.append(name)
                        hitKeys.append(key)
                    }
                }
                guard !hits.isEmpty else { continue }
                let address = scanner.text(tokens[0].range)
                if IPAddress(address, allowScope: true) == target {
                    for key in hitKeys { satisfied[key] = true }
                    continue
                }
                // This line changes: flush the unchanged bytes before it, then write its new form.
                output.append(contentsOf: bytes[copiedUpTo..<line.start])
                copiedUpTo = line.end
                let body = bytes[line.start..<line.bodyEnd]
                let terminator = bytes[line.bodyEnd..<line.end]
                let text = scanner.text(line.start..<line.bodyEnd)
                let hitNames = hits.map { scanner.text(tokens[$0].range) }
                let reason = "(\(hitNames.joined(separator: ", ")) pointed to \(address))"
                if hits.count == tokens.count - 1 {
                    switch conflicts {
                    case .commentOut:
                        output += Array("# ".utf8)
                        output.append(contentsOf: body)
                        output.append(contentsOf: terminator)
                        notes.append("commented out line \(line.number): \"\(text)\" \(reason)")
                    case .drop:
                        keptLines -= 1
                        notes.append("dropped line \(line.number): \"\(text)\" \(reason)")
                    }
                } else {
                    // Remove each target name with the whitespace before it; everything else stays as it was.
                    var kept = line.start
                    for hit in hits {
                        output.append(contentsOf: bytes[kept..<tokens[hit].gapStart])
                        kept = tokens[hit].range.upperBound
                    }
                    output.append(contentsOf: bytes[kept..<line.end])
                    notes.append(
                        "removed \(hitNames.joined(separator: ", ")) from line \(line.number): \"\(text)\" \(reason)")
                }
            }
            // Nothing to change: the content itself is the result, not a copy of it.
            guard copiedUpTo > 0 || satisfied.contains(false) else { return }
            output.append(contentsOf: bytes[copiedUpTo..<bytes.count])
        }
        let missing = wanted.indices.filter { !satisfied[$0] }.map { wanted[$0] }
        if copiedUpTo == 0 && missing.isEmpty { return HostsEdit(after: content, notes: notes, changed: false) }
        if !missing.isEmpty {
            let newLine = Array(([ip] + missing).joined(separator: " ").utf8)
            let ending = lineEnding ?? [0x0A]
            if output.isEmpty {
                output = Data(newLine + ending)
            } else if output.last == 0x0A {
                output += newLine + ending
            } else {
                output += ending + newLine  // keep the file's missing final newline
            }
            notes.append("added line \(keptLines + 1): \"\(String(decoding: newLine, as: UTF8.self))\"")
        }
        return HostsEdit(after: output, notes: notes, changed: output != content)
    }

    /// The IPs an active (uncommented) line gives `name`, in file order.
    public static func lookup(name: String, in content: Data, path: String) throws -> [String] {
        let key = HostName(Array(name.utf8))
        return try content.withUnsafeBytes { bytes in
            var scanner = try HostsFileScanner(bytes, path: path)
            var result: [String] = []
            while let line = try scanner.next() {
                guard line.isEntry else { continue }
                if scanner.tokens.indices.dropFirst().contains(where: { key.matches(scanner.word($0)) }) {
                    result.append(scanner.text(scanner.tokens[0].range))
                }
            }
            return result
        }
    }

    /// Dotted-quad IPv4 (four decimal parts 0-255, no leading zeros), by bkfix's one IP parser.
    public static func isValidIPv4(_ s: String) -> Bool { IPAddress.isIPv4(s) }

    /// IPv4 or IPv6 (an IPv6 scope such as `%eth0` is allowed, as in hosts files).
    public static func isValidIP(_ s: String) -> Bool { IPAddress(s, allowScope: true) != nil }
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
