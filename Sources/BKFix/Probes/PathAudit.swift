import Foundation

/// Whether a directory is in PATH now and in the PATH a login shell would build, evaluated statically from the
/// files bash reads at login, with every PATH assignment found on the way (file:line).
public struct PathAudit: Sendable, Equatable {
    /// One `PATH=...` / `export PATH=...` found in a login file.
    public struct Assignment: Sendable, Equatable {
        public var file: String
        public var line: Int
        /// The whole line as written.
        public var text: String
        /// PATH after this assignment, with `$PATH` expanded.
        public var value: String
        /// The assignment dropped the directory (it was there before, or PATH was set from scratch without it).
        public var breaksDir: Bool
        /// Byte range of the assigned value (after `=`) in the line, for a rewrite.
        var valueRange: Range<String.Index>
    }

    /// The login PATH before any file is read (what login(1) and sshd give a Debian/CentOS shell).
    public static let initialLoginPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    public var dir: String
    /// PATH of the environment bkfix runs in (nil when unset).
    public var currentPath: String?
    /// The files read, in the order bash reads them.
    public var filesRead: [String]
    public var assignments: [Assignment]
    /// PATH a new login shell would have.
    public var loginPath: String

    public var inCurrentEnvironment: Bool { PathAudit.contains(currentPath ?? "", dir) }
    public var inLoginShell: Bool { PathAudit.contains(loginPath, dir) }
    /// Assignments that lost the directory, first to last.
    public var breakingAssignments: [Assignment] { assignments.filter(\.breaksDir) }

    /// The files a bash login shell reads, in order: `/etc/environment` (pam_env), `/etc/profile`,
    /// `/etc/profile.d/*.sh`, the first of `~/.bash_profile`, `~/.bash_login`, `~/.profile`, then `~/.bashrc`.
    public static func loginFiles(home: String, transport: any Transport, extraProfileD: [String] = []) throws
        -> [String]
    {
        var files = ["/etc/environment", "/etc/profile"]
        let profileD = Set(
            try transport.list("/etc/profile.d").filter { $0.hasSuffix(".sh") }.map { "/etc/profile.d/" + $0 }
        )
        .union(extraProfileD)
        files += profileD.sorted()
        let homeDir = home.hasSuffix("/") ? String(home.dropLast()) : home
        for name in [".bash_profile", ".bash_login", ".profile"] where try transport.read("\(homeDir)/\(name)") != nil {
            files.append("\(homeDir)/\(name)")
            break
        }
        files.append("\(homeDir)/.bashrc")
        return files
    }

    /// Audits `dir`; `overrides` replaces file contents (nil = absent) to evaluate a planned change.
    public static func audit(
        dir: String, home: String, environment: [String: String], transport: any Transport,
        overrides: [String: Data?] = [:]
    ) throws -> PathAudit {
        let files = try loginFiles(
            home: home, transport: transport,
            extraProfileD: overrides.keys.filter {
                $0.hasPrefix("/etc/profile.d/") && $0.hasSuffix(".sh")
            })
        var path = initialLoginPath
        var read: [String] = []
        var found: [Assignment] = []
        for file in files {
            let data: Data?
            if let override = overrides[file] { data = override } else { data = try transport.read(file)?.data }
            guard let data else { continue }
            read.append(file)
            let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            for (index, line) in lines.enumerated() {
                guard
                    let a = assignment(
                        in: line, file: file, lineNumber: index + 1, current: path, dir: dir,
                        expand: file != "/etc/environment")
                else { continue }
                path = a.value
                found.append(a)
            }
        }
        return PathAudit(
            dir: dir, currentPath: environment["PATH"], filesRead: read, assignments: found, loginPath: path)
    }

    /// Whether a colon-separated PATH holds `dir` (trailing slashes ignored).
    public static func contains(_ path: String, _ dir: String) -> Bool {
        let want = normalizeDir(dir)
        return path.split(separator: ":").contains { normalizeDir(String($0)) == want }
    }

    private static func normalizeDir(_ d: String) -> String {
        var s = d
        while s.count > 1 && s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// `PATH=` possibly after `export`, at the start of a command (line start, `;`, `&&`, `then` ...).
    private static let pattern = try! NSRegularExpression(
        pattern: #"(?:^|[\s;&|(])(?:export\s+)?PATH=("[^"]*"|'[^']*'|[^\s;&|)]*)"#)

    /// Parses the PATH assignment on a line, if any, and evaluates it against the PATH so far.
    static func assignment(
        in line: String, file: String, lineNumber: Int, current: String, dir: String, expand: Bool
    ) -> Assignment? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("#") { return nil }
        let ns = line as NSString
        guard let match = pattern.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)),
            let range = Range(match.range(at: 1), in: line)
        else { return nil }
        var raw = String(line[range])
        var singleQuoted = false
        if raw.count >= 2 && raw.hasPrefix("\"") && raw.hasSuffix("\"") {
            raw = String(raw.dropFirst().dropLast())
        } else if raw.count >= 2 && raw.hasPrefix("'") && raw.hasSuffix("'") {
            raw = String(raw.dropFirst().dropLast())
            singleQuoted = true
        }
        var value = raw
        var inherits = false
        if expand && !singleQuoted {
            for token in ["${PATH}", "$PATH"] where value.contains(token) {
                inherits = true
                value = value.replacingOccurrences(of: token, with: current)
            }
        }
        let had = contains(current, dir)
        let has = contains(value, dir)
        return Assignment(
            file: file, line: lineNumber, text: line, value: value, breaksDir: !has && (had || !inherits),
            valueRange: range)
    }

    /// The line with `dir` appended to the assigned value, keeping quotes and the rest of the line.
    static func repairedLine(_ a: Assignment, dir: String) -> String {
        var line = a.text
        let raw = line[a.valueRange]
        if raw.count >= 2, let q = raw.first, q == "\"" || q == "'", raw.last == q {
            let insertAt = line.index(before: a.valueRange.upperBound)
            line.insert(contentsOf: ":" + dir, at: insertAt)
        } else {
            line.insert(contentsOf: ":" + dir, at: a.valueRange.upperBound)
        }
        return line
    }
}
