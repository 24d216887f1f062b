import Foundation

/// The trailers of bkfix's commits (SPEC §10): what `history`, `show` and `rollback --last` read instead of the
/// run records, and what `git log --grep` / `git log --format=%(trailers)` see. Keys repeat where a run has many
/// values (one `Host:` per host, one `Case:` per case, one `File:` per file); values are kept on one line.
public enum RunTrailers {
    public static let runID = "Run-Id"
    public static let kind = "Kind"
    public static let playbook = "Playbook"
    public static let caseID = "Case"
    public static let host = "Host"
    public static let operatorName = "Operator"
    public static let status = "Status"
    public static let started = "Started"
    public static let finished = "Finished"
    /// `host:/path` of each file the run planned.
    public static let file = "File"
    /// `yes` when a file changed or a mutating command ran: only then is there anything to roll back.
    public static let changed = "Changed"
    /// Where the run record lives in the commit's tree (`runs/YYYY/MM/<id>.json`); its presence marks a commit
    /// whose trailers carry everything history shows.
    public static let record = "Record"
    public static let rollbackOf = "Rollback-Of"
    /// On the commit that moved the records into the sharded layout.
    public static let layout = "Layout"
    /// On every commit: the bkfix build that wrote it (`BuildInfo.stamp`).
    public static let version = "Bkfix-Version"

    /// The trailer block of a run's commit.
    public static func lines(for record: RunRecord, recordPath: String) -> [String] {
        var lines = [
            "\(runID): \(encode(record.id))", "\(kind): \(record.kind.rawValue)",
            "\(playbook): \(encode(record.playbook))",
        ]
        lines += record.cases.map { "\(caseID): \(encode($0))" }
        lines += record.hosts.map { "\(host): \(encode($0))" }
        lines += [
            "\(operatorName): \(encode(record.operator))", "\(status): \(record.status.rawValue)",
            "\(started): \(isoSeconds(record.started))",
        ]
        if let done = record.finished { lines.append("\(finished): \(isoSeconds(done))") }
        lines += record.files.map { "\(file): \(encode(fileRef(host: $0.host, path: $0.path)))" }
        lines.append("\(changed): \(record.changedSomething ? "yes" : "no")")
        lines.append("\(RunTrailers.record): \(encode(recordPath))")
        if let of = record.rollbackOf { lines.append("\(rollbackOf): \(encode(of))") }
        lines.append("\(version): \(BuildInfo.stamp)")
        return lines
    }

    /// `host:/path`, as the `File:` trailer and `history --json` write a file.
    public static func fileRef(host: String, path: String) -> String { "\(host):\(path)" }

    /// Splits `host:/path` at the first ":/" (hosts may be IPv6 literals; paths are absolute).
    public static func splitFileRef(_ ref: String) -> (host: String, path: String)? {
        let bytes = Array(ref.utf8)
        guard let colon = bytes.indices.dropLast().first(where: { bytes[$0] == 0x3A && bytes[$0 + 1] == 0x2F })
        else { return nil }
        return (
            String(decoding: bytes[..<colon], as: UTF8.self), String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        )
    }

    /// A value on one trailer line: `%`, control characters and DEL become `%XX`.
    public static func encode(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "%") }) else { return value }
        var bytes: [UInt8] = []
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "%") {
                bytes += Array(String(format: "%%%02X", byte).utf8)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The inverse of `encode`.
    public static func decode(_ value: String) -> String {
        guard value.utf8.contains(UInt8(ascii: "%")) else { return value }
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        var position = 0
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "%"), position + 2 < bytes.count,
                let byte = UInt8(String(decoding: bytes[position + 1...position + 2], as: UTF8.self), radix: 16)
            {
                out.append(byte)
                position += 3
            } else {
                out.append(bytes[position])
                position += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-26T19:15:00Z`: whole seconds in UTC, as run records store dates and `history` prints them.
    public static func isoSeconds(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Digits by hand: history prints two dates a run, and String(format:) costs microseconds each.
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int32, _ at: Int, _ width: Int) {
            var value = value
            for position in stride(from: at + width - 1, through: at, by: -1) {
                bytes[position] = 0x30 + UInt8(value % 10)
                value /= 10
            }
        }
        put(parts.tm_year + 1900, 0, 4)
        put(parts.tm_mon + 1, 5, 2)
        put(parts.tm_mday, 8, 2)
        put(parts.tm_hour, 11, 2)
        put(parts.tm_min, 14, 2)
        put(parts.tm_sec, 17, 2)
        (bytes[4], bytes[7], bytes[10], bytes[13], bytes[16], bytes[19]) = (0x2D, 0x2D, 0x54, 0x3A, 0x3A, 0x5A)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `isoSeconds` output (thousands per history call: no formatter); nil for anything else.
    public static func parseISOSeconds(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int32(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
