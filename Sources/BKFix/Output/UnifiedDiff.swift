import Foundation

/// Line diffs in the exact format of GNU `diff -u`, for showing planned file changes.
///
/// Linear in the file size for the usual plan (a few changed lines in a big file): the common head and tail are
/// skipped as bytes, and only the lines between them are split, hashed and compared.
public enum UnifiedDiff {
    /// The unified diff from `old` to `new` (nil = absent file); "" when they are equal.
    /// Lines keep their exact bytes; a file containing NUL bytes is summarised in one line.
    public static func render(old: Data?, new: Data?, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let oldData = old ?? Data()
        let newData = new ?? Data()
        if oldData == newData { return "" }
        return oldData.withUnsafeBytes { a in
            newData.withUnsafeBytes { b in
                if hasNUL(a) || hasNUL(b) {
                    return "Binary files differ (\(a.count) -> \(b.count) bytes)\n"
                }
                return render(a, b, oldLabel: oldLabel, newLabel: newLabel, context: max(0, context))
            }
        }
    }

    private static func hasNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    private static func render(
        _ old: UnsafeRawBufferPointer, _ new: UnsafeRawBufferPointer, oldLabel: String, newLabel: String, context: Int
    ) -> String {
        let window = DiffWindow(old, new, context: context)
        let a = window.old
        let b = window.new
        let changes = LineDiff.changes(a, b)
        if changes.isEmpty { return "" }

        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var first = 0
        while first < changes.count {
            // Merge following changes while the unchanged gap is at most two contexts (GNU's rule).
            var last = first
            while last + 1 < changes.count && changes[last + 1].aStart - changes[last].aEnd <= 2 * context {
                last += 1
            }
            let aFrom = max(0, changes[first].aStart - context)
            let bFrom = changes[first].bStart - (changes[first].aStart - aFrom)
            let aTo = min(a.count, changes[last].aEnd + context)
            let bTo = changes[last].bEnd + (aTo - changes[last].aEnd)
            let skipped = window.skippedLines
            out += "@@ -\(range(skipped + aFrom, skipped + aTo)) +\(range(skipped + bFrom, skipped + bTo)) @@\n"
            var position = aFrom
            for change in changes[first...last] {
                for i in position..<change.aStart { out += line(" ", a[i]) }
                for i in change.aStart..<change.aEnd { out += line("-", a[i]) }
                for i in change.bStart..<change.bEnd { out += line("+", b[i]) }
                position = change.aEnd
            }
            for i in position..<aTo { out += line(" ", a[i]) }
            first = last + 1
        }
        return out
    }

    /// ANSI colours for a terminal: bold headers, cyan hunk ranges, red removals, green additions.
    /// Hunk line counts are followed, so a removed line starting with "--" is never taken for a header.
    public static func colorize(_ diff: String) -> String {
        var oldLeft = 0
        var newLeft = 0
        var lines: [String] = []
        // Split on the scalar: as Characters, "\r\n" is one grapheme and a CRLF line would swallow the next.
        for scalars in diff.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = Substring(scalars)
            let inHunk = oldLeft > 0 || newLeft > 0
            if text.isEmpty {
                lines.append("")
            } else if !inHunk && text.hasPrefix("@@") {
                (oldLeft, newLeft) = hunkCounts(text)
                lines.append("\u{1B}[36m\(text)\u{1B}[0m")
            } else if !inHunk {
                lines.append("\u{1B}[1m\(text)\u{1B}[0m")
            } else if text.hasPrefix("-") {
                oldLeft -= 1
                lines.append("\u{1B}[31m\(text)\u{1B}[0m")
            } else if text.hasPrefix("+") {
                newLeft -= 1
                lines.append("\u{1B}[32m\(text)\u{1B}[0m")
            } else {
                if text.hasPrefix(" ") {
                    oldLeft -= 1
                    newLeft -= 1
                }
                lines.append(String(text))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The old and new line counts of a `@@ -a,b +c,d @@` line.
    private static func hunkCounts(_ header: Substring) -> (Int, Int) {
        let fields = header.split(separator: " ")
        guard fields.count >= 3 else { return (0, 0) }
        func count(_ field: Substring) -> Int {
            let parts = field.dropFirst().split(separator: ",")
            return parts.count > 1 ? Int(parts[1]) ?? 0 : 1
        }
        return (count(fields[1]), count(fields[2]))
    }

    /// GNU's range notation: "start,count", just "start" for one line, "before,0" for none.
    private static func range(_ from: Int, _ to: Int) -> String {
        let count = to - from
        if count == 0 { return "\(from),0" }
        if count == 1 { return "\(from + 1)" }
        return "\(from + 1),\(count)"
    }

    private static func line(_ marker: String, _ bytes: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if bytes.last == UInt8(ascii: "\n") { return marker + text }
        return marker + text + "\n\\ No newline at end of file\n"
    }
}
