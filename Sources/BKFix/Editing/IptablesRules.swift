import Foundation

/// An iptables rules file in `iptables-save` format (`/etc/iptables/rules.v4`, `/etc/sysconfig/iptables`), which the
/// host's persistence service restores at boot. Edits add one rule line and keep every other byte.
public struct IptablesRules: Sendable {
    public let file: String
    /// Each line with its own line end (the last one may have none), so untouched lines keep their bytes.
    let rawLines: [String]
    /// Each line without its line end.
    let lines: [Substring]
    let newline: String

    /// Why the file cannot be edited safely; the message names the file and, where there is one, the line.
    public struct Malformed: Error, Equatable {
        public var file: String
        public var line: Int?
        public var reason: String

        public var message: String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(reason); fix the file (it is what the host loads at boot)"
        }
    }

    /// Parses the file; refuses bytes that are not text and a `*table` that is never `COMMIT`ted.
    public init(file: String, data: Data) throws(Malformed) {
        guard !data.contains(0) else { throw Malformed(file: file, line: nil, reason: "contains NUL bytes") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Malformed(file: file, line: nil, reason: "is not valid UTF-8 text")
        }
        self.file = file
        newline = text.utf8.contains(13) ? "\r\n" : "\n"
        // Split on the byte: Swift's Character sees "\r\n" as one, not as a line end.
        var split = data.split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if split.last == "" { split.removeLast() }
        let last = split.count - 1
        let endsWithNewline = data.last == 0x0A
        rawLines = split.enumerated().map { $0.offset < last || endsWithNewline ? $0.element + "\n" : $0.element }
        lines = split.map { $0.utf8.last == 13 ? Substring($0.dropLast()) : Substring($0) }
        var open: (name: Substring, line: Int)?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("*") {
                if let open {
                    throw Malformed(
                        file: file, line: index + 1, reason: "table \(line) starts before *\(open.name) is COMMITted")
                }
                open = (raw.dropFirst(), index + 1)
            } else if line == "COMMIT" {
                guard open != nil else {
                    throw Malformed(file: file, line: index + 1, reason: "COMMIT outside a table")
                }
                open = nil
            } else if (line.hasPrefix("-") || line.hasPrefix(":")) && open == nil {
                throw Malformed(file: file, line: index + 1, reason: "a rule outside a *table section")
            }
        }
        if let open {
            throw Malformed(file: file, line: open.line, reason: "*\(open.name) is never closed by COMMIT")
        }
    }

    /// The rule as `iptables-save` prints it: `-A INPUT -p tcp -m tcp --dport 10250 -j ACCEPT`.
    public static func acceptLine(port: Int, proto: String) -> String {
        "-A INPUT -p \(proto) -m \(proto) --dport \(port) -j ACCEPT"
    }

    /// Whether the filter table already accepts the port in INPUT (as saved, or as written by hand without `-m`).
    public func accepts(port: Int, proto: String) -> Bool {
        let wanted = ["-A", "INPUT", "-p", proto, "--dport", String(port), "-j", "ACCEPT"]
        var inFilter = false
        for line in lines {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.first?.hasPrefix("*") == true { inFilter = words.first == "*filter" }
            guard inFilter else { continue }
            var normalized: [String] = []
            var i = 0
            while i < words.count {
                if words[i] == "-m", i + 1 < words.count, words[i + 1] == proto {
                    i += 2
                    continue
                }
                normalized.append(words[i])
                i += 1
            }
            if normalized == wanted { return true }
        }
        return false
    }

    /// The file with `line` first in the filter table's INPUT chain (where `iptables -I` puts the runtime rule), or
    /// a new `*filter` section at the end when the file has none.
    public func inserting(_ line: String) -> Data {
        var out = rawLines
        let trimmed = lines.map { $0.trimmingCharacters(in: .whitespaces) }
        if let filter = trimmed.firstIndex(of: "*filter") {
            let end = trimmed[filter...].firstIndex(of: "COMMIT")!
            let firstInput = trimmed[filter..<end].firstIndex { $0.hasPrefix("-A INPUT ") }
            let firstRule = trimmed[filter..<end].firstIndex { $0.hasPrefix("-") }
            out.insert(line + newline, at: firstInput ?? firstRule ?? end)
            if !trimmed[filter..<end].contains(where: { $0.hasPrefix(":INPUT ") }) {
                out.insert(":INPUT ACCEPT [0:0]" + newline, at: filter + 1)
            }
        } else {
            if let last = out.indices.last, !out[last].hasSuffix("\n") { out[last] += newline }
            out += ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", line, "COMMIT"]
                .map { $0 + newline }
        }
        return Data(out.joined().utf8)
    }
}
