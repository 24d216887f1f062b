import Foundation

/// Line diffs in the exact format of GNU `diff -u`, for showing planned file changes.
public enum UnifiedDiff {
    /// The unified diff from `old` to `new` (nil = absent file); "" when they are equal.
    /// Lines keep their exact bytes; a file containing NUL bytes is summarised in one line.
    public static func render(old: Data?, new: Data?, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let oldData = old ?? Data()
        let newData = new ?? Data()
        if oldData == newData { return "" }
        if oldData.contains(0) || newData.contains(0) {
            return "Binary files differ (\(oldData.count) -> \(newData.count) bytes)\n"
        }
        let a = splitLines(oldData)
        let b = splitLines(newData)
        let changes = LineDiff.changes(a, b)
        if changes.isEmpty { return "" }
        let context = max(0, context)

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
            out += "@@ -\(range(aFrom, aTo)) +\(range(bFrom, bTo)) @@\n"
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

    private static func line(_ marker: String, _ bytes: Data) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if bytes.last == UInt8(ascii: "\n") { return marker + text }
        return marker + text + "\n\\ No newline at end of file\n"
    }

    /// Lines with their terminators, so "x" and "x\n" differ as in GNU diff.
    static func splitLines(_ data: Data) -> [Data] {
        var lines: [Data] = []
        var start = data.startIndex
        var index = data.startIndex
        while index < data.endIndex {
            if data[index] == UInt8(ascii: "\n") {
                lines.append(data[start...index])
                start = index + 1
            }
            index += 1
        }
        if start < data.endIndex { lines.append(data[start..<data.endIndex]) }
        return lines
    }
}

/// A run of removed lines `a[aStart..<aEnd]` replaced by `b[bStart..<bEnd]`.
struct LineChange: Equatable {
    var aStart: Int
    var aEnd: Int
    var bStart: Int
    var bEnd: Int
}

/// Myers' O(ND) diff in linear space (middle-snake bisection) over lines interned as integers.
enum LineDiff {
    static func changes(_ a: [Data], _ b: [Data]) -> [LineChange] {
        var ids: [Data: Int32] = [:]
        func intern(_ line: Data) -> Int32 {
            if let id = ids[line] { return id }
            let id = Int32(ids.count)
            ids[line] = id
            return id
        }
        let x = a.map(intern)
        let y = b.map(intern)
        var matchedA = [Bool](repeating: false, count: x.count)
        var matchedB = [Bool](repeating: false, count: y.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeBufferPointer { ys in
                compare(xs, 0, xs.count, ys, 0, ys.count, &matchedA, &matchedB)
            }
        }
        // Walk both files together; every stretch of unmatched lines between matches is one change.
        var result: [LineChange] = []
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            if i < x.count && j < y.count && matchedA[i] && matchedB[j] {
                i += 1
                j += 1
                continue
            }
            let aStart = i
            let bStart = j
            while i < x.count && !matchedA[i] { i += 1 }
            while j < y.count && !matchedB[j] { j += 1 }
            result.append(LineChange(aStart: aStart, aEnd: i, bStart: bStart, bEnd: j))
        }
        return result
    }

    /// Marks the lines of x[xLo..<xHi] and y[yLo..<yHi] that belong to a longest common subsequence.
    private static func compare(
        _ x: UnsafeBufferPointer<Int32>, _ xLo: Int, _ xHi: Int, _ y: UnsafeBufferPointer<Int32>, _ yLo: Int,
        _ yHi: Int, _ matchedA: inout [Bool], _ matchedB: inout [Bool]
    ) {
        var xLo = xLo
        var yLo = yLo
        var xHi = xHi
        var yHi = yHi
        while xLo < xHi && yLo < yHi && x[xLo] == y[yLo] {
            matchedA[xLo] = true
            matchedB[yLo] = true
            xLo += 1
            yLo += 1
        }
        while xLo < xHi && yLo < yHi && x[xHi - 1] == y[yHi - 1] {
            matchedA[xHi - 1] = true
            matchedB[yHi - 1] = true
            xHi -= 1
            yHi -= 1
        }
        if xLo == xHi || yLo == yHi { return }
        guard let (splitX, splitY) = middleSnake(x, xLo, xHi, y, yLo, yHi),
            (splitX, splitY) != (xLo, yLo), (splitX, splitY) != (xHi, yHi)
        else { return }
        compare(x, xLo, splitX, y, yLo, splitY, &matchedA, &matchedB)
        compare(x, splitX, xHi, y, splitY, yHi, &matchedA, &matchedB)
    }

    /// A point on an optimal path splitting the problem in two (nil: nothing in common).
    private static func middleSnake(
        _ x: UnsafeBufferPointer<Int32>, _ xLo: Int, _ xHi: Int, _ y: UnsafeBufferPointer<Int32>, _ yLo: Int,
        _ yHi: Int
    ) -> (Int, Int)? {
        let n = xHi - xLo
        let m = yHi - yLo
        let maxD = (n + m + 1) / 2
        let offset = maxD
        let length = 2 * maxD + 2
        var forward = [Int](repeating: -1, count: length)
        var backward = [Int](repeating: -1, count: length)
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        let delta = n - m
        let frontCheck = delta % 2 != 0
        var k1Start = 0
        var k1End = 0
        var k2Start = 0
        var k2End = 0
        for d in 0..<maxD {
            var k1 = -d + k1Start
            while k1 <= d - k1End {
                let k1Offset = offset + k1
                var x1 =
                    (k1 == -d || (k1 != d && forward[k1Offset - 1] < forward[k1Offset + 1]))
                    ? forward[k1Offset + 1] : forward[k1Offset - 1] + 1
                var y1 = x1 - k1
                while x1 < n && y1 < m && x[xLo + x1] == y[yLo + y1] {
                    x1 += 1
                    y1 += 1
                }
                forward[k1Offset] = x1
                if x1 > n {
                    k1End += 2
                } else if y1 > m {
                    k1Start += 2
                } else if frontCheck {
                    let k2Offset = offset + delta - k1
                    if k2Offset >= 0 && k2Offset < length && backward[k2Offset] != -1 {
                        if x1 >= n - backward[k2Offset] { return (xLo + x1, yLo + y1) }
                    }
                }
                k1 += 2
            }
            var k2 = -d + k2Start
            while k2 <= d - k2End {
                let k2Offset = offset + k2
                var x2 =
                    (k2 == -d || (k2 != d && backward[k2Offset - 1] < backward[k2Offset + 1]))
                    ? backward[k2Offset + 1] : backward[k2Offset - 1] + 1
                var y2 = x2 - k2
                while x2 < n && y2 < m && x[xLo + n - x2 - 1] == y[yLo + m - y2 - 1] {
                    x2 += 1
                    y2 += 1
                }
                backward[k2Offset] = x2
                if x2 > n {
                    k2End += 2
                } else if y2 > m {
                    k2Start += 2
                } else if !frontCheck {
                    let k1Offset = offset + delta - k2
                    if k1Offset >= 0 && k1Offset < length && forward[k1Offset] != -1 {
                        let x1 = forward[k1Offset]
                        let y1 = offset + x1 - k1Offset
                        if x1 >= n - x2 { return (xLo + x1, yLo + y1) }
                    }
                }
                k2 += 2
            }
        }
        return nil
    }
}
