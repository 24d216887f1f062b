import Foundation

/// A `--registry-mirror` flag on dockerd's command line, found in `systemctl cat docker` output.
public struct DockerdFlagLocation: Sendable, Equatable {
    /// The unit file or drop-in that holds it (from the `# /path` headers of `systemctl cat`).
    public var file: String
    /// The line in that file.
    public var line: Int
    /// The `ExecStart=` line as written.
    public var text: String
    /// The mirrors given by the flag(s).
    public var mirrors: [String]
}

/// Reads dockerd flags from `systemctl cat docker`: dockerd refuses to start when a setting is given both as a
/// flag and in daemon.json, so `registry-mirrors` must be set in one place only.
public enum DockerdUnitFlags {
    /// Every `ExecStart=` line passing `--registry-mirror`, with the file and line it comes from.
    public static func registryMirrorFlags(inSystemctlCat output: String) -> [DockerdFlagLocation] {
        var file = "docker.service"
        var lineInFile = 0
        var found: [DockerdFlagLocation] = []
        var pending: (start: Int, text: String)?
        for rawLine in output.components(separatedBy: "\n") {
            let line = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : rawLine
            if line.hasPrefix("# /") {
                file = String(line.dropFirst(2))
                lineInFile = 0
                pending = nil
                continue
            }
            lineInFile += 1
            // ExecStart may continue over several lines ending in a backslash.
            if var p = pending {
                p.text += "\n" + line
                pending = line.hasSuffix("\\") ? p : nil
                if pending == nil { collect(p.text, file: file, line: p.start, into: &found) }
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("ExecStart=") else { continue }
            if trimmed.hasSuffix("\\") {
                pending = (lineInFile, line)
            } else {
                collect(line, file: file, line: lineInFile, into: &found)
            }
        }
        return found
    }

    private static func collect(_ text: String, file: String, line: Int, into found: inout [DockerdFlagLocation]) {
        let words = text.replacingOccurrences(of: "\\\n", with: " ").split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map(String.init)
        var mirrors: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--registry-mirror=") {
                mirrors.append(
                    String(word.dropFirst("--registry-mirror=".count)).trimmingCharacters(
                        in: CharacterSet(charactersIn: "\"'")))
            } else if word == "--registry-mirror", index + 1 < words.count {
                mirrors.append(words[index + 1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
                index += 1
            }
            index += 1
        }
        if !mirrors.isEmpty {
            found.append(DockerdFlagLocation(file: file, line: line, text: text, mirrors: mirrors))
        }
    }
}
