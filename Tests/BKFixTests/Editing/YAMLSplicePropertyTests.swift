import Foundation
import Testing

@testable import BKFix

/// For every fixture file, every scalar leaf reachable without templates can be set alone: the re-parsed
/// result differs from the original in exactly that value, and the text differs in exactly that one line.
@Suite struct YAMLSplicePropertyTests {
    static let files = [
        "elasticsearch-values.yaml.gotmpl", "mysql-values.yaml.gotmpl", "bkjob-values.yaml.gotmpl",
        "bkci-resources.yaml.gotmpl", "quirks.yaml", "crlf-values.yaml.gotmpl", "no-final-newline.yaml",
        "multi-doc.yaml", "custom-values.yaml.gotmpl", "templated.yaml.gotmpl",
    ]

    /// Template-free scalar leaves: (document, path).
    static func leaves(of text: String, file: String) throws -> [(Int, [String])] {
        let lines = YAMLLines(text)
        let mask = YAMLTemplateMask(lines)
        let outline = try YAMLOutline(lines, mask: mask, file: file)
        var result: [(Int, [String])] = []
        func visit(_ entries: [YAMLOutline.Entry], _ prefix: [String], _ document: Int) {
            for entry in entries where !entry.keyTemplated && mask.openBlock[entry.line] == nil {
                switch entry.value {
                case .scalar(let span) where !span.raw.contains("{{"): result.append((document, prefix + [entry.key]))
                case .mapping(let children, _): visit(children, prefix + [entry.key], document)
                default: break
                }
            }
        }
        for (index, document) in outline.documents.enumerated() { visit(document.entries, [], index) }
        return result
    }

    @Test(arguments: files)
    func everyTemplateFreeLeafCanBeSetAlone(_ file: String) throws {
        let text = try Fixtures.text("yaml/values/\(file)")
        let leaves = try Self.leaves(of: text, file: file)
        #expect(!leaves.isEmpty)
        let before = try YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines(text)).maskedText, file: file)
        for (document, path) in leaves {
            let output: String
            do {
                output = try YAMLSplice.set(path, to: "probe-value", in: text, file: file)
            } catch {
                // An anchored scalar that an alias repeats is the one legitimate refusal.
                guard case YAMLSpliceError.verificationFailed = error, text.contains("*") else {
                    Issue.record("\(file): \(path.joined(separator: ".")) refused: \(error)")
                    continue
                }
                continue
            }
            let after = try YAMLValueTree.documents(of: YAMLTemplateMask(YAMLLines(output)).maskedText, file: file)
            var expected = before
            expected[document] = expected[document].setting(path, to: "probe-value")
            #expect(after == expected, "\(file): \(path.joined(separator: "."))")
            let changes = SpliceDiff.lines(output).difference(from: SpliceDiff.lines(text))
            #expect(changes.count == 2, "\(file): \(path.joined(separator: ".")) changed \(changes.count) lines")
            let offsets = changes.map { change -> Int in
                switch change {
                case .remove(let offset, _, _), .insert(let offset, _, _): return offset
                }
            }
            #expect(Set(offsets).count == 1, "\(file): \(path.joined(separator: ".")) edited different lines")
        }
    }
}
