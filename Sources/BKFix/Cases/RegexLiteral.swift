import Foundation

/// Finds a literal that every match of a regex must contain, so most lines skip the regex entirely.
enum RegexLiteral {
    /// The runs of plain characters at the top level of `pattern` (each one is in every match), longest first;
    /// empty when there is no safe one (top-level alternation, inline flags, or no run of at least 2 bytes).
    static func required(in pattern: String) -> [[UInt8]] {
        if pattern.contains("(?i") || pattern.contains("(?x") { return [] }
        let chars = Array(pattern)
        var runs: [[Character]] = []
        var current: [Character] = []
        var depth = 0
        var i = 0
        func endRun() {
            if !current.isEmpty { runs.append(current) }
            current = []
        }
        while i < chars.count {
            let c = chars[i]
            if depth > 0 {
                switch c {
                case "\\": i += 1
                case "(": depth += 1
                case ")": depth -= 1
                case "[": i = skipClass(chars, from: i)
                default: break
                }
                if depth == 0 { endRun() }
                i += 1
                continue
            }
            switch c {
            case "|":
                return []
            case "(":
                endRun()
                depth = 1
            case "[":
                endRun()
                i = skipClass(chars, from: i)
                skipQuantifier(chars, &i)
            case ".", "^", "$":
                endRun()
            case "?", "*", "{":
                if !current.isEmpty { current.removeLast() }
                endRun()
                if c == "{" { while i < chars.count, chars[i] != "}" { i += 1 } }
            case "+":
                endRun()
            case "\\":
                guard i + 1 < chars.count else { return [] }
                let next = chars[i + 1]
                i += 1
                if next.isLetter || next.isNumber {
                    endRun()
                    skipQuantifier(chars, &i)
                } else {
                    current.append(next)
                }
            default:
                current.append(c)
            }
            i += 1
        }
        if depth != 0 { return [] }
        endRun()
        return runs.map { Array(String($0).utf8) }.filter { $0.count >= 2 }.sorted { $0.count > $1.count }
    }

    private static func skipClass(_ chars: [Character], from start: Int) -> Int {
        var i = start + 1
        if i < chars.count, chars[i] == "^" { i += 1 }
        if i < chars.count, chars[i] == "]" { i += 1 }
        while i < chars.count, chars[i] != "]" {
            if chars[i] == "\\" { i += 1 }
            i += 1
        }
        return i
    }

    /// Steps over a quantifier after a class or escape (so `\d{2,}` does not look like a literal `{2,}`).
    private static func skipQuantifier(_ chars: [Character], _ i: inout Int) {
        guard i + 1 < chars.count else { return }
        switch chars[i + 1] {
        case "?", "*", "+": i += 1
        case "{":
            i += 1
            while i < chars.count, chars[i] != "}" { i += 1 }
        default: break
        }
    }

}
