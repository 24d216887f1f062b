import Foundation
import Yams

/// Reads the releases of one helmfile tolerantly: Go templates masked, each `---` document parsed on its own,
/// documents that still do not parse skipped. Before any parse, a byte search tells which helmfiles can matter.
enum HelmfileReader {
    /// A release as written, before namespace resolution.
    struct RawRelease: Equatable {
        var name: String
        var namespace: String?
        var values: [String]
        var labels: [String: String]
    }

    /// True when the bytes hold `releases:`, without which a file declares no release.
    static func mayHoldReleases(_ data: Data) -> Bool {
        data.withUnsafeBytes { $0.firstOffset(of: Array("releases:".utf8)) != nil }
    }

    /// True when the bytes hold `name: RELEASE` as YAML writes it (`- name: x`, `name: "x"`, `{name: x}`), the
    /// release name ending there: the helmfiles worth parsing for that release.
    static func mayDeclare(_ release: String, in data: Data) -> Bool {
        data.withUnsafeBytes { mayDeclare(release, in: $0) }
    }

    static func mayDeclare(_ release: String, in bytes: UnsafeRawBufferPointer) -> Bool {
        let needle = Array(release.utf8)
        guard !needle.isEmpty else { return false }
        var from = 0
        while let at = bytes.firstOffset(of: needle, from: from) {
            from = at + 1
            let end = at + needle.count
            guard end == bytes.count || !isNameByte(bytes[end]) else { continue }
            var i = at - 1
            if i >= 0, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") { i -= 1 }
            while i >= 0, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i -= 1 }
            guard i >= 4, bytes[i] == UInt8(ascii: ":") else { continue }
            let key = UnsafeRawBufferPointer(rebasing: bytes[(i - 4)..<i])
            guard key.elementsEqual("name".utf8) else { continue }
            if i == 4 || !isNameByte(bytes[i - 5]) { return true }
        }
        return false
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// The release `name` of a helmfile: parsed from its own `- ` item of `releases:` when that item can be cut out
    /// by indentation, else from the `---` documents that name it.
    static func release(named name: String, in text: String) -> RawRelease? {
        let mask = YAMLTemplateMask(YAMLLines(text))
        let lines = mask.maskedText.split(separator: "\n", omittingEmptySubsequences: false)
        if let item = itemLines(declaring: name, in: lines),
            let node = try? Yams.compose(yaml: "releases:\n" + item.joined(separator: "\n"), .basic),
            let raw = node["releases"]?.sequence?.first.flatMap({ decode($0, mask: mask) }), raw.name == name
        {
            return raw
        }
        return releases(in: text, mentioning: name).first { $0.name == name }
    }

    /// The lines of the `releases:` item that holds `name: RELEASE`, found by indentation alone.
    static func itemLines(declaring name: String, in lines: [Substring]) -> ArraySlice<Substring>? {
        func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }
        func isContent(_ line: Substring) -> Bool {
            let body = line.drop { $0 == " " || $0 == "\t" }
            return !body.isEmpty && !body.hasPrefix("#")
        }
        func isItem(_ line: Substring) -> Bool {
            let body = line.drop { $0 == " " }
            return body == "-" || body.hasPrefix("- ")
        }
        for (index, line) in lines.enumerated() where line.contains(name) {
            guard
                line.utf8.withContiguousStorageIfAvailable({ mayDeclare(name, in: UnsafeRawBufferPointer($0)) }) == true
            else { continue }
            // The item's `- `: on this line, or the nearest one above indented less than the key.
            var start = index
            if !isItem(line) {
                let keyIndent = indent(line)
                while start > 0, !(isItem(lines[start]) && indent(lines[start]) < keyIndent) { start -= 1 }
                guard isItem(lines[start]), indent(lines[start]) < keyIndent else { continue }
            }
            let marker = indent(lines[start])
            // Its parent must be `releases:`.
            var parent = start - 1
            while parent >= 0,
                !isContent(lines[parent])
                    || (indent(lines[parent]) > marker || (indent(lines[parent]) == marker && isItem(lines[parent])))
            {
                parent -= 1
            }
            guard parent >= 0, String(lines[parent]).trimmingBlanks == "releases:" else { continue }
            var end = start + 1
            while end < lines.count, !isContent(lines[end]) || indent(lines[end]) > marker { end += 1 }
            return lines[start..<end]
        }
        return nil
    }

    /// The releases the helmfile declares; with `release`, only from the `---` documents whose bytes name it.
    static func releases(in text: String, mentioning release: String? = nil) -> [RawRelease] {
        let mask = YAMLTemplateMask(YAMLLines(text))
        var documents: [[String]] = [[]]
        for line in mask.maskedText.split(separator: "\n", omittingEmptySubsequences: false) {
            if YAMLOutline.isDocumentMarker(Array(line.utf8)) {
                documents.append([])
            } else {
                documents[documents.count - 1].append(String(line))
            }
        }
        var result: [RawRelease] = []
        for document in documents {
            var text = document.joined(separator: "\n")
            if let release, !text.withUTF8({ mayDeclare(release, in: UnsafeRawBufferPointer($0)) }) { continue }
            guard let node = try? Yams.compose(yaml: text, .basic),
                let releases = node["releases"]?.sequence
            else { continue }
            result += releases.compactMap { decode($0, mask: mask) }
        }
        return result
    }

    /// One item of `releases:`, its templates unmasked.
    private static func decode(_ item: Node, mask: YAMLTemplateMask) -> RawRelease? {
        guard let name = item["name"]?.string.map(mask.unmask) else { return nil }
        let values = (item["values"]?.sequence ?? []).compactMap { $0.string }.map { mask.unmask($0).trimmingBlanks }
        var labels: [String: String] = [:]
        for (key, value) in item["labels"]?.mapping ?? [:] {
            if let k = key.string, let v = value.string { labels[k] = mask.unmask(v) }
        }
        return RawRelease(
            name: name, namespace: item["namespace"]?.string.map(mask.unmask), values: values, labels: labels)
    }
}
