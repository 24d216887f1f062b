import Foundation
import Testing

@testable import BKFix

/// Line-level comparison of an input and an edited output, for "nothing outside the edited spans changed".
enum SpliceDiff {
    /// Lines with their terminators, so CRLF and a missing final newline count as bytes.
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" || character == "\r\n" {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The key of a `key: value` line, trimmed (nil when the line holds none).
    static func key(of line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.range(of: ":") else { return nil }
        var key = String(trimmed[..<colon.lowerBound])
        if key.hasPrefix("\"") { key = String(key.dropFirst().dropLast()) }
        return key
    }

    /// Checks that every removed line is either a target line whose key prefix and trailing comment survived,
    /// or a last line that only gained its newline, and that every other added line sets a key of the paths.
    static func expectOnlyEditedSpansChanged(
        input: String, output: String, assignments: [YAMLSplice.Assignment],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = lines(input)
        let after = lines(output)
        let difference = after.difference(from: before)
        var removed: [String] = []
        var inserted: [String] = []
        for change in difference {
            switch change {
            case .remove(_, let line, _): removed.append(line)
            case .insert(_, let line, _): inserted.append(line)
            }
        }
        let pathKeys = Set(assignments.flatMap(\.path))
        let values = assignments.map(\.value)
        for line in removed {
            let body = line.trimmingCharacters(in: .newlines)
            // A last line without a newline may only gain one.
            if let index = inserted.firstIndex(where: { $0.trimmingCharacters(in: .newlines) == body }),
                !line.hasSuffix("\n")
            {
                inserted.remove(at: index)
                continue
            }
            guard let key = key(of: line), pathKeys.contains(key) else {
                Issue.record(
                    "changed a line that is not an edited key: \(line.debugDescription)", sourceLocation: sourceLocation
                )
                continue
            }
            guard
                let index = inserted.firstIndex(where: {
                    Self.key(of: $0) == key && $0.prefix(while: { $0 == " " }) == line.prefix(while: { $0 == " " })
                })
            else {
                Issue.record(
                    "the edited line for \(key) vanished: \(line.debugDescription)", sourceLocation: sourceLocation)
                continue
            }
            let replacement = inserted.remove(at: index)
            // The comment after the value and the line ending stay.
            if let hash = line.range(of: " #") {
                let tail = String(line[hash.lowerBound...])
                #expect(
                    replacement.hasSuffix(tail),
                    "comment lost: \(line.debugDescription) -> \(replacement.debugDescription)",
                    sourceLocation: sourceLocation)
            }
            #expect(line.hasSuffix("\r\n") == replacement.hasSuffix("\r\n"), sourceLocation: sourceLocation)
            #expect(
                values.contains {
                    replacement.contains($0) || replacement.contains($0.replacingOccurrences(of: "\"", with: "\\\""))
                        || replacement.contains($0.replacingOccurrences(of: "'", with: "''"))
                } || line.hasSuffix(": {}\n"),
                "the new value is not on \(replacement.debugDescription)", sourceLocation: sourceLocation)
        }
        for line in inserted {
            guard let key = key(of: line), pathKeys.contains(key) else {
                Issue.record(
                    "inserted a line that is not a key of the paths: \(line.debugDescription)",
                    sourceLocation: sourceLocation)
                continue
            }
        }
    }
}
