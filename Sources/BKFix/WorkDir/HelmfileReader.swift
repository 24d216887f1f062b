import Foundation
import Yams

/// Reads the releases of one helmfile tolerantly: Go templates masked, each `---` document parsed on its own,
/// documents that still do not parse skipped.
enum HelmfileReader {
    /// A release as written, before namespace resolution.
    struct RawRelease: Equatable {
        var name: String
        var namespace: String?
        var values: [String]
        var labels: [String: String]
    }

    static func releases(in text: String) -> [RawRelease] {
        let mask = YAMLTemplateMask(YAMLLines(text))
        var documents: [[String]] = [[]]
        for line in mask.maskedText.components(separatedBy: "\n") {
            if YAMLOutline.isDocumentMarker(Array(line.utf8)) {
                documents.append([])
            } else {
                documents[documents.count - 1].append(line)
            }
        }
        var result: [RawRelease] = []
        for document in documents {
            guard let node = try? Yams.compose(yaml: document.joined(separator: "\n")),
                let releases = node["releases"]?.sequence
            else { continue }
            for item in releases {
                guard let name = item["name"]?.string.map(mask.unmask) else { continue }
                let values = (item["values"]?.sequence ?? []).compactMap { $0.string }.map {
                    mask.unmask($0).trimmingCharacters(in: .whitespaces)
                }
                var labels: [String: String] = [:]
                for (key, value) in item["labels"]?.mapping ?? [:] {
                    if let k = key.string, let v = value.string { labels[k] = mask.unmask(v) }
                }
                result.append(
                    RawRelease(
                        name: name, namespace: item["namespace"]?.string.map(mask.unmask), values: values,
                        labels: labels))
            }
        }
        return result
    }
}
