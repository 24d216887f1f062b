import Foundation

/// Where the Go-template expressions (`{{ ... }}`) of a helm values file are, and the file with them masked.
///
/// Masking keeps lines and columns: a line holding only templates becomes blank, an inline template becomes
/// a token `__TPLn__`, so the rest parses as plain YAML.
struct YAMLTemplateMask {
    /// Per line: the byte ranges of template expressions (a multi-line template covers whole lines).
    private(set) var spans: [[Range<Int>]]
    /// Per line: true when the line holds templates and nothing else but blanks.
    private(set) var templateOnly: [Bool]
    /// Per line: the 1-based line of the innermost `{{ if/range/with/define/block }}` still open there.
    private(set) var openBlock: [Int?]
    /// The text of each masked template, indexed by its token number.
    private(set) var expressions: [String] = []
    /// The masked text.
    private(set) var maskedText: String = ""

    init(_ lines: YAMLLines) {
        spans = []
        templateOnly = []
        openBlock = []
        var inside = false
        var insideStart = 0
        var stack: [Int] = []
        var masked: [UInt8] = []
        var pending: [UInt8] = []
        for (index, line) in lines.lines.enumerated() {
            let bytes = line.content
            var lineSpans: [Range<Int>] = []
            openBlock.append(stack.last)
            var i = 0
            var start = inside ? 0 : -1
            while i < bytes.count {
                if start < 0 {
                    if bytes[i] == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") {
                        start = i
                        insideStart = index
                        pending = []
                        i += 2
                        continue
                    }
                } else if bytes[i] == UInt8(ascii: "}"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "}") {
                    lineSpans.append(start..<(i + 2))
                    pending += bytes[start..<(i + 2)]
                    Self.track(pending.utf8String, line: insideStart + 1, stack: &stack)
                    expressions.append(pending.utf8String)
                    start = -1
                    i += 2
                    continue
                }
                i += 1
            }
            if start >= 0 {
                lineSpans.append(start..<bytes.count)
                pending += bytes[start..<bytes.count] + [10]
                inside = true
            } else {
                inside = false
            }
            spans.append(lineSpans)
            var outside = bytes
            for span in lineSpans.reversed() { outside.removeSubrange(span) }
            let only = !lineSpans.isEmpty && outside.isBlankLine
            templateOnly.append(only)
            if only {
                masked += line.terminator.isEmpty ? [] : [10]
            } else {
                var out = bytes
                let unfinished = start >= 0 ? 1 : 0
                var token = expressions.count - (lineSpans.count - unfinished)
                var replacements: [(Range<Int>, [UInt8])] = []
                for span in lineSpans {
                    replacements.append((span, Array("__TPL\(token)__".utf8)))
                    token += 1
                }
                for (span, replacement) in replacements.reversed() { out.replaceSubrange(span, with: replacement) }
                masked += out + (line.terminator.isEmpty ? [] : [10])
            }
        }
        maskedText = masked.utf8String
    }

    /// Opens or closes a template block for control keywords.
    private static func track(_ expression: String, line: Int, stack: inout [Int]) {
        var body = expression.dropFirst(2).drop(while: { $0 == "-" || $0 == " " || $0 == "\t" || $0 == "\n" })
        if body.hasPrefix("/*") { return }
        body = body.prefix(while: { $0.isLetter })
        switch body {
        case "if", "range", "with", "define", "block": stack.append(line)
        case "end": if !stack.isEmpty { stack.removeLast() }
        default: break
        }
    }

    /// Replaces `__TPLn__` tokens in a masked value with the template text they stand for.
    func unmask(_ value: String) -> String {
        guard value.contains("__TPL") else { return value }
        var result = ""
        var rest = Substring(value)
        while let start = rest.firstRange(of: "__TPL") {
            let digits = rest[start.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
            let end = digits.endIndex
            guard let index = Int(digits), index < expressions.count, rest[end...].hasPrefix("__") else {
                result += rest[..<start.upperBound]
                rest = rest[start.upperBound...]
                continue
            }
            result += rest[..<start.lowerBound] + expressions[index]
            rest = rest[rest.index(end, offsetBy: 2)...]
        }
        return result + rest
    }

    /// True when the masked value stands for (or contains) a template.
    static func containsToken(_ value: String) -> Bool { value.contains("__TPL") }
}
