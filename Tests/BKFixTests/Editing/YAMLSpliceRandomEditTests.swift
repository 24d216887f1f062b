import Foundation
import Testing

@testable import BKFix

/// Seeded random edits of chart values files written the way real charts write them (`yaml/charts/`: bitnami-style
/// comment blocks, flow mappings on one line and on several, multi-line flow sequences, anchors and merge keys, `|`
/// and `>` block scalars, quoted keys, `{{ }}` template lines, CRLF): every edit either changes exactly the target
/// (the re-parsed file equals the old one with that value set, and no line besides the edited ones changed) or is
/// refused with a reason that names what is in the way. A valid file is never refused as a whole.
@Suite struct YAMLSpliceRandomEditTests {
    static let files = [
        "redis-style.yaml", "ingress-style.yaml", "elasticsearch-custom.yaml.gotmpl", "bkapp-style.yaml.gotmpl",
        "postgres-style.yaml", "crlf-flow.yaml",
    ]
    static let values = [
        "2", "1000m", "4Gi", "true", "hello world", "a,b", "x: y", "#not-a-comment", "-1", "", "中文 值", "{x}", "[1]",
        "v1.2.3", "it's", "say \"hi\"", "~",
    ]
    static let editsPerFile = 150

    /// Every key path of a tree, and for every mapping a new key and a new nested key under it.
    static func candidates(_ tree: YAMLValueTree, _ prefix: [String] = []) -> [[String]] {
        var result: [[String]] = []
        if case .mapping(let pairs) = tree {
            result += [prefix + ["added"], prefix + ["added", "deeper"]]
            for pair in pairs where !YAMLTemplateMask.containsToken(pair.key) {
                result.append(prefix + [pair.key])
                result += candidates(pair.value, prefix + [pair.key])
            }
        } else if case .null = tree, !prefix.isEmpty {
            result.append(prefix + ["added"])
        } else if case .sequence = tree {
            result.append(prefix + ["0"])
        }
        return result
    }

    @Test(arguments: files)
    func randomEditsChangeOnlyTheTargetOrAreRefused(_ file: String) throws {
        let text = try Fixtures.text("yaml/charts/\(file)")
        let before = try YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines(text)).maskedText, file: file)
        let paths = Self.candidates(before[0])
        var rng = SeededRandom(seed: UInt64(file.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        var applied = 0
        var refusals: [String: Int] = [:]
        for _ in 0..<Self.editsPerFile {
            let path = paths.randomElement(using: &rng)!
            let value = Self.values.randomElement(using: &rng)!
            let dotted = path.joined(separator: ".")
            let output: String
            do {
                output = try YAMLSplice.set(path, to: value, in: text, file: file)
            } catch let error as YAMLSpliceError {
                switch error {
                case .notYAML, .badRequest:
                    Issue.record("\(file): \(dotted) = \(value) refused as a whole: \(error.localizedDescription)")
                case .verificationFailed:
                    // Only an anchored value that an alias or merge key repeats elsewhere changes meaning twice.
                    #expect(text.contains("&"), "\(file): \(dotted) = \(value): \(error.localizedDescription)")
                default: break
                }
                refusals["\(error)".prefix(while: { $0 != "(" }).description, default: 0] += 1
                continue
            }
            applied += 1
            let after = try YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines(output)).maskedText, file: file)
            var expected = before
            expected[0] = expected[0].setting(path, to: value)
            #expect(after == expected, "\(file): \(dotted) = \(value)")
            Self.expectOnlyTheEditedLinesChanged(
                text, output, old: before[0].scalar(at: path), what: "\(file): \(dotted)")
        }
        // Most random paths land somewhere editable; a file refused whole would show here too.
        #expect(applied * 2 > Self.editsPerFile, "\(file): only \(applied) applied; refusals \(refusals)")
    }

    /// At most two old lines changed (the target's, and the one that gains a comma before a new flow entry), each by
    /// one contiguous splice no longer than the old value could be; the other new lines are new entries.
    static func expectOnlyTheEditedLinesChanged(_ input: String, _ output: String, old: String?, what: String) {
        let before = SpliceDiff.lines(input)
        let after = SpliceDiff.lines(output)
        var removed: [String] = []
        var inserted: [String] = []
        for change in after.difference(from: before) {
            switch change {
            case .remove(_, let line, _): removed.append(line)
            case .insert(_, let line, _): inserted.append(line)
            }
        }
        #expect(removed.count <= 2, "\(what): \(removed.count) old lines changed: \(removed)")
        for (line, new) in zip(removed, inserted) {
            let a = Array(line.utf8)
            let b = Array(new.utf8)
            var prefix = 0
            while prefix < min(a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
            var suffix = 0
            while suffix < min(a.count, b.count) - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
                suffix += 1
            }
            // What was cut out of the old line: nothing (an insertion), or the old scalar with its quotes.
            let cut = a.count - prefix - suffix
            #expect(cut <= 2 * (old?.utf8.count ?? 0) + 4, "\(what): \(line) -> \(new)")
        }
        #expect(inserted.count - removed.count <= 3, "\(what): \(inserted.count - removed.count) lines added")
    }
}
