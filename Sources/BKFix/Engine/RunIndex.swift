import Foundation

/// A cache of what history reads: one line per commit of the first-parent history, oldest first, with the run's
/// summary on the lines of run commits (`.git/bkfix/runs.index`, 0600). Git stays the source of truth: the index
/// is trusted only up to the last commit it names, and only when that commit is on HEAD's first-parent chain;
/// newer commits are read from git, and a missing, damaged or foreign index is rebuilt from git by the next
/// command that writes. Readers never write it.
struct RunIndex {
    /// The commit of the last complete line: the newest commit the index covers.
    let lastCommit: String
    /// Whether the file ends with a complete line (a crash can leave half a line; then it is rebuilt, not appended).
    let endsCleanly: Bool
    private let bytes: [UInt8]
    /// Where the last complete line ends (its newline).
    private let end: Int

    static let header = "bkfix-runs-index 1\n"
    static let fileName = "runs.index"

    /// One line: a commit, and the run it records (nil for baseline, drift and migrate commits).
    struct Entry {
        var commit: String
        var parent: String?
        var run: RunSummary?
    }

    /// How a newest-first walk of the index ended.
    enum WalkEnd: Equatable {
        /// Every entry was visited, or the visitor stopped.
        case done
        /// A line does not parse: read git from the parent of the last entry visited on.
        case damaged
    }

    /// Reads the whole index in `runtimeDir` (lines are parsed lazily, newest first, as they are visited); nil
    /// when it is missing, of another format, or holds no complete line.
    static func load(in runtimeDir: String) -> RunIndex? {
        guard let data = FileManager.default.contents(atPath: path(in: runtimeDir)) else { return nil }
        return RunIndex(bytes: [UInt8](data), headerChecked: false)
    }

    /// Reads only the end of the index (enough for its last line), so a run can append to it in constant time.
    static func tail(in runtimeDir: String) -> RunIndex? {
        let fd = open(path(in: runtimeDir), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        var chunk = 4096
        while true {
            let start = max(0, size - chunk)
            var bytes = [UInt8](repeating: 0, count: size - start)
            let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
            guard read == bytes.count else { return nil }
            if start == 0 { return RunIndex(bytes: bytes, headerChecked: false) }
            // Two newlines in the chunk hold the last complete line (the one before it, when the file ends in a
            // line a crash cut off).
            if bytes.lazy.filter({ $0 == 0x0A }).count >= 2 {
                return RunIndex(bytes: bytes, headerChecked: true)
            }
            chunk *= 4
        }
    }

    private init?(bytes: [UInt8], headerChecked: Bool) {
        let header = Array(Self.header.utf8)
        if !headerChecked { guard bytes.starts(with: header) else { return nil } }
        let floor = headerChecked ? 0 : header.count
        guard let lastNewline = bytes.lastIndex(of: 0x0A), lastNewline >= floor else { return nil }
        var lineStart = lastNewline
        while lineStart > floor, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        guard lastNewline - lineStart >= 40, !(headerChecked && lineStart == 0) else { return nil }
        self.bytes = bytes
        self.end = lastNewline
        self.endsCleanly = lastNewline == bytes.count - 1
        self.lastCommit = String(decoding: bytes[lineStart..<lineStart + 40], as: UTF8.self)
    }

    static func path(in runtimeDir: String) -> String { (runtimeDir as NSString).appendingPathComponent(fileName) }

    /// Visits the entries newest first until `visit` returns false.
    func walkNewestFirst(_ visit: (Entry) throws -> Bool) rethrows -> WalkEnd {
        let floor = Self.header.utf8.count
        var lineEnd = end
        while lineEnd > floor {
            var lineStart = lineEnd
            while lineStart > floor, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            let range = lineStart..<lineEnd
            guard let entry = bytes.withUnsafeBufferPointer({ Self.parse(UnsafeBufferPointer(rebasing: $0[range])) })
            else { return .damaged }
            guard try visit(entry) else { return .done }
            lineEnd = lineStart - 1
        }
        return .done
    }

    // MARK: - Lines

    /// `commit TAB parent` for a commit that is not a run; a run adds its fields (lists comma-separated, every
    /// value percent-encoded, dates in epoch seconds).
    static func line(commit: String, parent: String?, run: RunSummary?) -> String {
        var fields = [commit, parent ?? "-"]
        if let run {
            fields += [
                "R", encode(run.id), run.kind.rawValue, encode(run.playbook),
                run.cases.map(encode).joined(separator: ","),
                run.hosts.map(encode).joined(separator: ","), run.status.rawValue, encode(run.operatorName),
                String(Int64(run.started.timeIntervalSince1970.rounded(.down))),
                run.finished.map { String(Int64($0.timeIntervalSince1970.rounded(.down))) } ?? "-",
                run.files.map { encode(RunTrailers.fileRef(host: $0.host, path: $0.path)) }.joined(separator: ","),
                run.rollbackOf.map(encode) ?? "-", run.changedSomething ? "y" : "n", encode(run.recordPath),
            ]
        }
        return fields.joined(separator: "\t") + "\n"
    }

    /// One line back into its entry, straight from the bytes (history parses thousands of lines).
    private static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Entry? {
        var fields: [Range<Int>] = []
        fields.reserveCapacity(16)
        var start = 0
        for position in 0...line.count where position == line.count || line[position] == 0x09 {
            fields.append(start..<position)
            start = position + 1
        }
        func text(_ range: Range<Int>) -> String {
            let bytes = UnsafeBufferPointer(rebasing: line[range])
            let raw = String(decoding: bytes, as: UTF8.self)
            return bytes.contains(0x25) ? decode(raw) : raw
        }
        func value(_ index: Int) -> String { text(fields[index]) }
        func isDash(_ index: Int) -> Bool { fields[index].count == 1 && line[fields[index].lowerBound] == 0x2D }
        func optional(_ index: Int) -> String? { isDash(index) ? nil : value(index) }
        func list(_ index: Int) -> [String] {
            let range = fields[index]
            guard !range.isEmpty else { return [] }
            var items: [String] = []
            var itemStart = range.lowerBound
            for position in range.lowerBound...range.upperBound
            where position == range.upperBound || line[position] == 0x2C {
                items.append(text(itemStart..<position))
                itemStart = position + 1
            }
            return items
        }
        func date(_ index: Int) -> Date? {
            var seconds: Int64 = 0
            for byte in line[fields[index]] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                seconds = seconds * 10 + Int64(byte - 0x30)
            }
            return fields[index].isEmpty ? nil : Date(timeIntervalSince1970: TimeInterval(seconds))
        }

        guard fields.count == 2 || fields.count == 16, fields[0].count == 40 else { return nil }
        let commit = value(0)
        guard fields.count == 16 else { return Entry(commit: commit, parent: optional(1), run: nil) }
        guard value(2) == "R", let kind = RunKind(rawValue: value(4)), let status = RunStatus(rawValue: value(8)),
            let started = date(10)
        else { return nil }
        let files = list(12).compactMap { ref in
            RunTrailers.splitFileRef(ref).map { RunFileRef(host: $0.host, path: $0.path) }
        }
        let run = RunSummary(
            id: value(3), kind: kind, playbook: value(5), cases: list(6), hosts: list(7), status: status,
            operatorName: value(9), started: started, finished: date(11), files: files, rollbackOf: optional(13),
            changedSomething: value(14) == "y", recordPath: value(15), commit: commit, parent: optional(1))
        return Entry(commit: commit, parent: run.parent, run: run)
    }

    /// `%`, tab, comma and control characters as `%XX`: a value never splits a line, a field or a list.
    private static func encode(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x25 || $0 == 0x2C }) else { return value }
        var out: [UInt8] = []
        for byte in value.utf8 {
            if byte < 0x20 || byte == 0x7F || byte == 0x25 || byte == 0x2C {
                out += Array(String(format: "%%%02X", byte).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ value: String) -> String { RunTrailers.decode(value) }

    // MARK: - Writing (only by commands that write the state repo)

    /// Writes the whole index (`entries` oldest first) atomically.
    static func write(_ entries: [(commit: String, parent: String?, run: RunSummary?)], in runtimeDir: String) throws {
        var text = header
        for entry in entries { text += line(commit: entry.commit, parent: entry.parent, run: entry.run) }
        try AtomicFile.write(Data(text.utf8), to: path(in: runtimeDir), mode: 0o600)
    }

    /// Appends entries (oldest first) to an index whose last line is complete.
    static func append(_ entries: [(commit: String, parent: String?, run: RunSummary?)], in runtimeDir: String) throws {
        let text = entries.map { line(commit: $0.commit, parent: $0.parent, run: $0.run) }.joined()
        let fd = open(path(in: runtimeDir), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw AtomicFileError.cannotWrite(path: path(in: runtimeDir), reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                throw AtomicFileError.cannotWrite(path: path(in: runtimeDir), reason: String(cString: strerror(errno)))
            }
            written += n
        }
    }
}
